// The endpoints.kubernetes.io/last-change-trigger-time annotation (upstream:
// pkg/controller/util/endpoint/trigger_time_tracker.go): when the oldest change that this write of
// the Endpoints / EndpointSlices reflects happened, so one can measure how long a pod's readiness
// took to reach the proxies. A pod's trigger time is its Ready condition's last transition, a
// Service's its creation; the tracker remembers what it saw at the previous sync of each Service.
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { podReadyCondition } from '../controllerUtils/podUtils.ts';

interface ServiceState {
  lastPodTriggerTimes: Map<string, number>;
  lastServiceTriggerTime: number;
}

function parseTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /**
   * ComputeEndpointLastChangeTriggerTime, in ms since the epoch; undefined when nothing it tracks
   * changed (the caller then removes the annotation). The first sync of a Service reports its
   * creation time. Upstream remembers the state as it computes; here the caller calls
   * `remember` once its write succeeded, so a sync retried after a failed write (a conflict with
   * its own lagging cache, say) still reports the change.
   */
  compute(serviceKey: string, service: Service, pods: Pod[]): number | undefined {
    const state = this.states.get(serviceKey);
    const { podTimes, svcTime } = triggerTimes(service, pods);
    if (!state) return svcTime || undefined;
    let minChanged: number | undefined;
    const changed = (t: number) => (minChanged = minChanged === undefined ? t : Math.min(minChanged, t));
    for (const [pod, t] of podTimes) {
      const last = state.lastPodTriggerTimes.get(pod);
      if (last === undefined || t > last) changed(t);
    }
    if (svcTime > state.lastServiceTriggerTime) changed(svcTime);
    return minChanged;
  }

  /** What the Service's Endpoints / slices now reflect. */
  remember(serviceKey: string, service: Service, pods: Pod[]): void {
    const { podTimes, svcTime } = triggerTimes(service, pods);
    this.states.set(serviceKey, { lastPodTriggerTimes: podTimes, lastServiceTriggerTime: svcTime });
  }

  deleteService(serviceKey: string): void {
    this.states.delete(serviceKey);
  }
}

/** A pod's trigger time is its Ready condition's last transition; a Service's its creation. */
function triggerTimes(service: Service, pods: Pod[]): { podTimes: Map<string, number>; svcTime: number } {
  const podTimes = new Map<string, number>();
  for (const pod of pods) {
    const t = parseTime(podReadyCondition(pod)?.lastTransitionTime);
    if (t !== undefined) podTimes.set(pod.metadata!.name!, t);
  }
  return { podTimes, svcTime: parseTime(service.metadata?.creationTimestamp) ?? 0 };
}

/** The annotation's value: RFC 3339 with fraction, UTC, as Go's time.RFC3339Nano prints it. */
export function formatTriggerTime(ms: number): string {
  // toISOString always prints milliseconds; Go drops trailing zeros of the fraction.
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}
