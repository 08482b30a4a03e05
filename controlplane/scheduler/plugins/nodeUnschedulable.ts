// NodeUnschedulable (plugins/nodeunschedulable): a cordoned node (spec.unschedulable) takes only
// pods that tolerate the node.kubernetes.io/unschedulable:NoSchedule taint (DaemonSet pods do).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { FilterPlugin } from '../framework/interface.ts';
import type { NodeInfo } from '../framework/nodeInfo.ts';
import { SUCCESS, unresolvable, type Status } from '../framework/status.ts';
import { tolerationsTolerateTaint } from './helper/taints.ts';

export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

export const nodeUnschedulable = {
  name: 'NodeUnschedulable',
  filter(_state, pod: Pod, node: NodeInfo): Status {
    if (!node.node.spec?.unschedulable) return SUCCESS;
    const tolerated = tolerationsTolerateTaint(pod.spec?.tolerations ?? [], { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' });
    return tolerated ? SUCCESS : unresolvable(ERR_REASON_UNSCHEDULABLE);
  },
} satisfies FilterPlugin;
