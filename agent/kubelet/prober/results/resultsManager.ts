// A cache of probe results by container id, with a stream of changes (upstream
// pkg/kubelet/prober/results/results_manager.go). The kubelet keeps one per probe kind: the
// liveness and startup caches are what the runtime reads to decide restarts, the readiness cache
// what the status side reads for containerStatuses[].ready. Subscribers — the pod workers — get
// an update only when a container's result changes, and then sync the pod (level-triggered: the
// update says "look again", the pod worker reads the caches itself).

/** Upstream's results.Result: Unknown is the startup probe's value before its first verdict. */
export type ProbeResult = 'Success' | 'Failure' | 'Unknown';

export interface ResultUpdate {
  /** The CRI container id (no `containerd://` scheme). */
  containerId: string;
  result: ProbeResult;
  podUid: string;
}

export type ResultListener = (update: ResultUpdate) => void;

/** `containerd://abc` → `abc`; a bare id stays as it is. */
export function parseContainerId(id: string): string {
  const i = id.indexOf('://');
  return i >= 0 ? id.slice(i + 3) : id;
}

export class ResultsManager {
  private readonly cache = new Map<string, ProbeResult>();
  private readonly listeners = new Set<ResultListener>();

  /** The cached result for a container (bare id or `scheme://id`), or undefined if none yet. */
  get(containerId: string): ProbeResult | undefined {
    return this.cache.get(parseContainerId(containerId));
  }

  /** Records a result; listeners hear of it only when it differs from the cached one. */
  set(containerId: string, result: ProbeResult, podUid: string): void {
    const id = parseContainerId(containerId);
    if (this.cache.get(id) === result) return;
    this.cache.set(id, result);
    const update: ResultUpdate = { containerId: id, result, podUid };
    for (const listener of [...this.listeners]) listener(update);
  }

  /** Forgets a container (its worker stopped or it was replaced); no update is sent, as upstream. */
  remove(containerId: string): void {
    this.cache.delete(parseContainerId(containerId));
  }

  /** Subscribes to result changes; returns the unsubscribe function. */
  subscribe(listener: ResultListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Changes as an async stream, for a loop that `for await`s them until the signal aborts. */
  async *updates(signal: AbortSignal): AsyncGenerator<ResultUpdate> {
    const queue: ResultUpdate[] = [];
    let wake: (() => void) | undefined;
    const unsubscribe = this.subscribe((u) => {
      queue.push(u);
      wake?.();
    });
    const onAbort = () => wake?.();
    signal.addEventListener('abort', onAbort);
    try {
      while (!signal.aborted) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
    }
  }
}
