// Controller expectations (pkg/controller/controller_utils.go ControllerExpectations and
// UIDTrackingControllerExpectations): a controller that just asked for N creations (or these
// deletions) must not act on the same owner again until its informer has seen them, or a burst
// would be doubled. Expectations expire so a lost watch event cannot wedge an owner forever.

/** Upstream's ExpectationsTimeout. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Record_ {
  add: number;
  del: number;
  /** Keys ("ns/name") of the pods whose deletion is expected (the UID-tracking part). */
  deleting: Set<string>;
  timestamp: number;
}

export class Expectations {
  private readonly records = new Map<string, Record_>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True when the owner may be synced: nothing pending, everything observed, or the record expired. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.del <= 0) return true;
    return this.now() - r.timestamp > EXPECTATIONS_TIMEOUT_MS;
  }

  expectCreations(key: string, n: number): void {
    this.records.set(key, { add: n, del: 0, deleting: new Set(), timestamp: this.now() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.records.set(key, { add: 0, del: podKeys.length, deleting: new Set(podKeys), timestamp: this.now() });
  }

  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r) r.add--;
  }

  /** A pod's deletion was seen (or the delete failed): counts once per pod key. */
  deletionObserved(key: string, podKey: string): void {
    const r = this.records.get(key);
    if (r && r.deleting.delete(podKey)) r.del--;
  }

  deleteExpectations(key: string): void {
    this.records.delete(key);
  }

  /** For logs and tests: what is still awaited. */
  pending(key: string): { add: number; del: number } | undefined {
    const r = this.records.get(key);
    return r ? { add: r.add, del: r.del } : undefined;
  }
}
