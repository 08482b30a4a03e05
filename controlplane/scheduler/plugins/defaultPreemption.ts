// The PostFilter slot where upstream's DefaultPreemption runs (plugins/defaultpreemption).
// k8ts does not evict pods to make room; it reports what upstream reports when preemption finds
// nothing to do: nodes rejected as UnschedulableAndUnresolvable are "not helpful", the others
// have "no victims". The text completes the FailedScheduling message after "preemption: ".
import type { Pod } from 'kubernetes-types/core/v1.js';
import { fitErrorMessage } from '../framework/fitError.ts';
import type { PostFilterPlugin } from '../framework/interface.ts';
import type { Status } from '../framework/status.ts';

export const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';

export function preemptionMessage(pod: Pod, nodeStatuses: Map<string, Status>, numAllNodes: number): string {
  if (pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
  const perNode = new Map<string, Status>();
  for (const [name, s] of nodeStatuses) {
    const reason = s.code === 'UnschedulableAndUnresolvable' ? PREEMPTION_NOT_HELPFUL : NO_VICTIMS;
    perNode.set(name, { code: 'Unschedulable', reasons: [reason] });
  }
  return fitErrorMessage({ numAllNodes, nodeStatuses: perNode });
}

export const defaultPreemption = {
  name: 'DefaultPreemption',
  postFilter(_state, pod: Pod, nodeStatuses: Map<string, Status>, numAllNodes: number): Status {
    return { code: 'Unschedulable', reasons: [`preemption: ${preemptionMessage(pod, nodeStatuses, numAllNodes)}`] };
  },
} satisfies PostFilterPlugin;
