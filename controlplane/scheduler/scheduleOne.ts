// One pass of the scheduling loop (pkg/scheduler/schedule_one.go ScheduleOne): pop a pod, decide
// its node on a snapshot, assume it into the cache, then bind in the background so the next pod
// can be scheduled meanwhile. A pod that fits nowhere gets a FailedScheduling event and a
// PodScheduled=False condition, and waits in the queue; a bound pod gets a Scheduled event.
//
// The scheduling cycle itself is synchronous: it reads one snapshot and nothing can change it
// halfway. Everything that waits for the API server — the binding, the condition write — runs
// beside the next cycles, and the loop hands control back to the event loop between two cycles
// so that those requests, the informers and the events make progress during a burst
// (upstream runs ScheduleOne in a loop and binds in a goroutine).
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type pino from 'pino';
import type { EventRecorder, KubeObject } from '../client/types.ts';
import type { SchedulerCache } from './cache/schedulerCache.ts';
import { CycleState } from './framework/cycleState.ts';
import { fitErrorMessage } from './framework/fitError.ts';
import { podKey } from './framework/nodeInfo.ts';
import type { Framework } from './framework/runtime.ts';
import { NO_NODES_AVAILABLE, schedulePod } from './framework/schedulePod.ts';
import { Snapshot } from './framework/snapshot.ts';
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

/**
 * Schedules pods until the signal stops it or the queue closes, yielding to the event loop between
 * two cycles; then waits for the bindings under way.
 */
export async function runSchedulingLoop(scheduler: Scheduler, signal: AbortSignal): Promise<void> {
  while (!signal.aborted && (await scheduler.scheduleOne())) await nextTurn();
  await scheduler.drain();
}

export class Scheduler {
  /** Bindings and condition writes under way. */
  private readonly requests = new Set<Promise<void>>();
  /** Brought up to date at the start of each cycle, copying only the nodes that changed. */
  private readonly snapshot = new Snapshot();
  private readonly rotation = { nextStartNodeIndex: 0 };

  constructor(private readonly d: SchedulerDeps) {}

  /** Schedules the next pod; false once the queue is closed. Resolves before the pod is bound. */
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
    this.d.cache.updateSnapshot(this.snapshot);
    const result = schedulePod(this.d.framework, state, pod, this.snapshot, {
      random: this.d.random,
      rotation: this.rotation,
      percentageOfNodesToScore: this.d.framework.profile.percentageOfNodesToScore,
    });
    switch (result.kind) {
      case 'unschedulable':
        this.failed(info, cycle, 'unschedulable', REASON_UNSCHEDULABLE, fitErrorMessage(result.fitError));
        return true;
      case 'noNodes':
        this.failed(info, cycle, 'unschedulable', REASON_UNSCHEDULABLE, NO_NODES_AVAILABLE);
        return true;
      case 'error':
        this.failed(info, cycle, 'error', REASON_SCHEDULER_ERROR, result.message);
        return true;
      case 'fit':
        break;
    }
    const nodeName = result.nodeName;
    const assumed: Pod = { ...pod, spec: { ...pod.spec!, nodeName } };
    const reserved = this.d.framework.runReserve(state, assumed, nodeName);
    if (!isSuccess(reserved)) {
      this.failed(info, cycle, 'error', REASON_SCHEDULER_ERROR, statusMessage(reserved));
      return true;
    }
    // Account the pod on its node now, before the API server and the informer catch up.
    this.d.cache.assumePod(assumed);
    this.d.log.debug({ pod: info.key, node: nodeName, feasible: result.feasibleNodes, scores: result.scores }, 'pod assumed');
    this.track(this.bind(state, info, cycle, assumed, nodeName));
    return true;
  }

  /** Waits for the bindings and condition writes under way (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.requests.size > 0) await Promise.all([...this.requests]);
  }

  private track(request: Promise<void>): void {
    const tracked = request.finally(() => this.requests.delete(tracked));
    this.requests.add(tracked);
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
    this.failed(info, cycle, 'error', REASON_SCHEDULER_ERROR, `binding rejected: ${statusMessage(status)}`);
  }

  /** handleSchedulingFailure: requeue, then tell the user with an event and (in the background) the pod's condition. */
  private failed(info: QueuedPodInfo, cycle: number, kind: FailureKind, reason: string, message: string): void {
    const pod = info.pod;
    this.d.queue.requeueFailed(info, cycle, kind);
    this.d.queue.done(info.key);
    this.d.log.info({ pod: info.key, reason, attempts: info.attempts }, message);
    this.d.recorder.event(asEventObject(pod), 'Warning', 'FailedScheduling', message);
    const condition = podScheduledCondition(pod, reason, message, (this.d.now ?? (() => new Date()))());
    if (!condition) return;
    this.track(
      (async () => this.d.writeCondition(pod, condition))().catch((e: unknown) => {
        this.d.log.warn({ pod: info.key, err: (e as Error).message }, 'could not update the PodScheduled condition');
      }),
    );
  }
}
