// NodePorts (plugins/nodeports): a hostPort can be taken once per (hostIP, protocol, port); the
// wildcard 0.0.0.0 conflicts with every address.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { StateKey, type CycleState } from '../framework/cycleState.ts';
import type { FilterPlugin, PreFilterPlugin } from '../framework/interface.ts';
import { podHostPorts, type HostPort, type NodeInfo } from '../framework/nodeInfo.ts';
import { SKIP, SUCCESS, unschedulable, type Status } from '../framework/status.ts';

export const ERR_REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";

const wantedPorts = new StateKey<HostPort[]>('NodePorts/preFilter');

export function portsConflict(a: HostPort, b: HostPort): boolean {
  if (a.port !== b.port || a.protocol !== b.protocol) return false;
  return a.hostIP === b.hostIP || a.hostIP === '0.0.0.0' || b.hostIP === '0.0.0.0';
}

export const nodePorts = {
  name: 'NodePorts',

  preFilter(state: CycleState, pod: Pod) {
    const ports = podHostPorts(pod);
    state.write(wantedPorts, ports);
    return { status: ports.length === 0 ? SKIP : SUCCESS };
  },

  filter(state: CycleState, pod: Pod, node: NodeInfo): Status {
    const wanted = state.read(wantedPorts) ?? podHostPorts(pod);
    const clash = wanted.some((w) => node.usedPorts.some((u) => portsConflict(w, u)));
    return clash ? unschedulable(ERR_REASON_PORTS) : SUCCESS;
  },
} satisfies PreFilterPlugin & FilterPlugin;
