// Pod lifecycle event generator by relisting (upstream pkg/kubelet/pleg/generic.go): containerd
// 1.6 has no container events over CRI, so the kubelet lists sandboxes and containers every
// second, diffs against the previous listing and tells the pod workers which pods changed.
// The first relist after a start reports every running container: that is how a restarted
// kubelet learns about (and adopts) the pods that kept running.
import type { CriClient } from '../cri/criClient.ts';
import type { Container, PodSandbox } from '../cri/criTypes.ts';
import { podIdentity } from './labels.ts';

/** Upstream genericPlegRelistPeriod. */
export const RELIST_PERIOD_MS = 1_000;

export type PodLifecycleEventType = 'ContainerStarted' | 'ContainerDied' | 'ContainerRemoved' | 'ContainerChanged';

export interface PodLifecycleEvent {
  podUid: string;
  type: PodLifecycleEventType;
  /** Container or sandbox id. */
  id: string;
}

/** What the runtime runs, flattened: sandboxes count as containers (as upstream's PLEG does). */
type Snapshot = Map<string, { podUid: string; state: 'running' | 'exited' | 'unknown' }>;

export function snapshot(sandboxes: PodSandbox[], containers: Container[]): Snapshot {
  const out: Snapshot = new Map();
  for (const s of sandboxes) {
    const id = podIdentity(s.labels);
    if (id) out.set(s.id, { podUid: id.uid, state: s.state === 'SANDBOX_READY' ? 'running' : 'exited' });
  }
  for (const c of containers) {
    const id = podIdentity(c.labels);
    if (!id) continue;
    const state = c.state === 'CONTAINER_RUNNING' ? 'running' : c.state === 'CONTAINER_EXITED' ? 'exited' : 'unknown';
    out.set(c.id, { podUid: id.uid, state });
  }
  return out;
}

/** Upstream generateEvents: the transition of one id between two listings. */
export function diffSnapshots(previous: Snapshot, current: Snapshot): PodLifecycleEvent[] {
  const events: PodLifecycleEvent[] = [];
  const ids = new Set([...previous.keys(), ...current.keys()]);
  for (const id of ids) {
    const before = previous.get(id);
    const after = current.get(id);
    if (before?.state === after?.state) continue;
    const podUid = (after ?? before)!.podUid;
    if (!after) {
      // Gone without being seen exited: it died and was removed between two relists.
      if (before!.state === 'running') events.push({ podUid, type: 'ContainerDied', id });
      events.push({ podUid, type: 'ContainerRemoved', id });
    } else if (after.state === 'running') events.push({ podUid, type: 'ContainerStarted', id });
    else if (after.state === 'exited') events.push({ podUid, type: 'ContainerDied', id });
    else events.push({ podUid, type: 'ContainerChanged', id });
  }
  return events;
}

export class GenericPleg {
  private last: Snapshot = new Map();
  private timer: NodeJS.Timeout | undefined;
  private relisting = false;
  /** When the last relist finished (upstream Healthy() checks it is recent). */
  lastRelist = 0;

  constructor(
    private readonly cri: CriClient,
    private readonly onEvents: (events: PodLifecycleEvent[]) => void,
    private readonly periodMs = RELIST_PERIOD_MS,
  ) {}

  /** One relist: list, diff, report. Safe to call at any time; concurrent calls coalesce. */
  async relist(): Promise<PodLifecycleEvent[]> {
    if (this.relisting) return [];
    this.relisting = true;
    try {
      const current = snapshot(await this.cri.listPodSandbox(), await this.cri.listContainers());
      const events = diffSnapshots(this.last, current);
      this.last = current;
      this.lastRelist = Date.now();
      if (events.length) this.onEvents(events);
      return events;
    } finally {
      this.relisting = false;
    }
  }

  start(onError: (err: unknown) => void = () => {}): void {
    if (this.timer) return;
    const tick = () => {
      this.relist()
        .catch(onError)
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.periodMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
