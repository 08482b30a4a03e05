// NodeName (plugins/nodename): a pod that names its node fits only there.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { FilterPlugin } from '../framework/interface.ts';
import type { NodeInfo } from '../framework/nodeInfo.ts';
import { SUCCESS, unresolvable, type Status } from '../framework/status.ts';

export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export const nodeName = {
  name: 'NodeName',
  filter(_state, pod: Pod, node: NodeInfo): Status {
    const wanted = pod.spec?.nodeName;
    return !wanted || wanted === node.name ? SUCCESS : unresolvable(ERR_REASON_NODE_NAME);
  },
} satisfies FilterPlugin;
