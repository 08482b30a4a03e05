// One pass of the scheduling loop (pkg/scheduler/schedule_one.go ScheduleOne): pop a pod, decide
// its node on a snapshot, assume it into the cache, then bind in the background so the next pod
// can be scheduled meanwhile. A pod that fits nowhere gets a FailedScheduling event and a
// PodScheduled=False condition, and waits in the queue; a bound pod gets a Scheduled event.
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type pino from 'pino';
import type { EventRecorder, KubeObject } from '../client/types.ts';
import type { SchedulerCache } from './cache/schedulerCache.ts';
import { CycleState } from './framework/cycleState.ts';
import { fitErrorMessage } from './framework/fitError.ts';
import { podKey } from './framework/nodeInfo.ts';
import type { Framework } from './framework/runtime.ts';
import { NO_NODES_AVAILABLE, schedulePod } from './framework/schedulePod.ts';
import { isSuccess, statusMessage } from './framework/status.ts';
import type { FailureKind, QueuedPodInfo, SchedulingQueue } from './queue/schedulingQueue.ts';

/** Writes the pod's PodScheduled condition (PATCH pods/<name>/status). */
export type PodConditionWriter = (pod: Pod, condition: PodCondition) => Promise<void>;

export interface SchedulerDeps {
  framework: Framework;
  cache: SchedulerCache;
  queue: SchedulingQueue;
  recorder: EventRecorder;
  writeCondition: PodConditionWriter;
  log: pino.Logger;
  random?: () => number;
  now?: () => Date;
}

// v1.PodReasonUnschedulable, v1.PodReasonSchedulerError
const REASON_UNSCHEDULABLE = 'Unschedulable';
const REASON_SCHEDULER_ERROR = 'SchedulerError';

const asEventObject = (pod: Pod): KubeObject => ({ ...(pod as KubeObject), apiVersion: 'v1', kind: 'Pod' });

/** The condition the pod should carry, or undefined when it already says exactly this (podutil.UpdatePodCondition). */
export function podScheduledCondition(pod: Pod, reason: string, message: string, now: Date): PodCondition | undefined {
  const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (current && current.status === 'False' && current.reason === reason && current.message === message) return undefined;
  return {
    type: 'PodScheduled',
    status: 'False',
    reason,
    message,
    lastProbeTime: null as unknown as string,
    lastTransitionTime: current?.status === 'False' && current.lastTransitionTime ? current.lastTransitionTime : now.toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

export class Scheduler {
  private readonly bindings = new Set<Promise<void>>();

  constructor(private readonly d: SchedulerDeps) {}

  /** Schedules the next pod; false once the queue is closed. */
  async scheduleOne(): Promise<boolean> {
    const popped = await this.d.queue.pop();
    if (!popped) return false;
    const { info, cycle } = popped;
    const pod = info.pod;
    if (pod.metadata?.deletionTimestamp || this.d.cache.isAssumed(pod)) {
      this.d.queue.done(info.key);
      return true;
    }
    const state = new CycleState();
    const result = schedulePod(this.d.framework, state, pod, this.d.cache.snapshot(), this.d.random);
    switch (result.kind) {
      case 'unschedulable':
        await this.failed(info, cycle, 'unschedulable', REASON_UNSCHEDULABLE, fitErrorMessage(result.fitError));
        return true;
      case 'noNodes':
        await this.failed(info, cycle, 'unschedulable', REASON_UNSCHEDULABLE, NO_NODES_AVAILABLE);
        return true;
      case 'error':
        await this.failed(info, cycle, 'error', REASON_SCHEDULER_ERROR, result.message);
        return true;
      case 'fit':
        break;
    }
    const nodeName = result.nodeName;
    const assumed: Pod = { ...pod, spec: { ...pod.spec!, nodeName } };
    const reserved = this.d.framework.runReserve(state, assumed, nodeName);
    if (!isSuccess(reserved)) {
      await this.failed(info, cycle, 'error', REASON_SCHEDULER_ERROR, statusMessage(reserved));
      return true;
    }
    // Account the pod on its node now, before the API server and the informer catch up.
    this.d.cache.assumePod(assumed);
    this.d.log.debug({ pod: info.key, node: nodeName, feasible: result.feasibleNodes, scores: result.scores }, 'pod assumed');
    const binding = this.bind(state, info, cycle, assumed, nodeName).finally(() => this.bindings.delete(binding));
    this.bindings.add(binding);
    return true;
  }

  /** Waits for bindings under way (shutdown, tests). */
  async drain(): Promise<void> {
    await Promise.all([...this.bindings]);
  }

  private async bind(state: CycleState, info: QueuedPodInfo, cycle: number, assumed: Pod, nodeName: string): Promise<void> {
    const status = await this.d.framework.runBind(state, assumed, nodeName);
    if (isSuccess(status)) {
      this.d.queue.done(info.key);
      this.d.log.info({ pod: info.key, node: nodeName }, 'pod bound');
      this.d.recorder.event(asEventObject(info.pod), 'Normal', 'Scheduled', `Successfully assigned ${podKey(info.pod)} to ${nodeName}`);
      return;
    }
    // handleBindingCycleError: give the node back, and let pods that waited for it retry.
    this.d.cache.forgetPod(assumed);
    this.d.framework.runUnreserve(state, assumed, nodeName);
    this.d.queue.moveAllToActiveOrBackoff();
    await this.failed(info, cycle, 'error', REASON_SCHEDULER_ERROR, `binding rejected: ${statusMessage(status)}`);
  }

  /** handleSchedulingFailure: requeue, then tell the user with an event and the pod's condition. */
  private async failed(info: QueuedPodInfo, cycle: number, kind: FailureKind, reason: string, message: string): Promise<void> {
    const pod = info.pod;
    this.d.queue.requeueFailed(info, cycle, kind);
    this.d.queue.done(info.key);
    this.d.log.info({ pod: info.key, reason, attempts: info.attempts }, message);
    this.d.recorder.event(asEventObject(pod), 'Warning', 'FailedScheduling', message);
    const condition = podScheduledCondition(pod, reason, message, (this.d.now ?? (() => new Date()))());
    if (!condition) return;
    try {
      await this.d.writeCondition(pod, condition);
    } catch (e) {
      this.d.log.warn({ pod: info.key, err: (e as Error).message }, 'could not update the PodScheduled condition');
    }
  }
}
