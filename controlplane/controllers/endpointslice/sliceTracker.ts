// What this controller last wrote to each slice (upstream: staging/src/k8s.io/endpointslice/util/
// endpointslice_tracker.go). The informer cache lags behind our own writes; reconciling against a
// cache that has not yet seen a slice we just created would create a second one. So a sync whose
// cache is older than our writes fails with a retry, and the informer events of our own writes do
// not trigger syncs. Upstream compares metadata.generation; slices carry none here, so the
// tracker compares resourceVersions, which the storage issues as increasing revisions.
import type { KubeObject } from '../../client/types.ts';

const DELETION_EXPECTED = -1;

type SliceLike = Pick<KubeObject, 'metadata'>;

function revision(obj: SliceLike): number {
  const n = Number(obj.metadata.resourceVersion);
  return Number.isFinite(n) ? n : 0;
}

export class StaleInformerCacheError extends Error {
  constructor(serviceKey: string) {
    super(`EndpointSlice informer cache is out of date for Service ${serviceKey}`);
    this.name = 'StaleInformerCacheError';
  }
}

export class EndpointSliceTracker {
  /** service key → slice uid → last revision written, or DELETION_EXPECTED. */
  private readonly byService = new Map<string, Map<string, number>>();

  private revisions(serviceKey: string): Map<string, number> {
    let m = this.byService.get(serviceKey);
    if (!m) this.byService.set(serviceKey, (m = new Map()));
    return m;
  }

  /** Has: the slice is tracked. */
  has(serviceKey: string, slice: SliceLike): boolean {
    return this.byService.get(serviceKey)?.has(slice.metadata.uid!) ?? false;
  }

  /** ShouldSync: a slice event we did not cause (someone else wrote it, or we never saw it). */
  shouldSync(serviceKey: string, slice: SliceLike): boolean {
    const rev = this.byService.get(serviceKey)?.get(slice.metadata.uid!);
    return rev === undefined || revision(slice) > rev;
  }

  /**
   * StaleSlices: the cached slices are older than what we wrote — one we updated has an older
   * revision, one we deleted is still there, or one we created or updated is missing.
   */
  staleSlices(serviceKey: string, slices: SliceLike[]): boolean {
    const tracked = this.byService.get(serviceKey);
    if (!tracked) return false;
    const seen = new Set<string>();
    for (const s of slices) {
      seen.add(s.metadata.uid!);
      const rev = tracked.get(s.metadata.uid!);
      if (rev !== undefined && (rev === DELETION_EXPECTED || rev > revision(s))) return true;
    }
    for (const [uid, rev] of tracked) if (rev !== DELETION_EXPECTED && !seen.has(uid)) return true;
    return false;
  }

  /** Update: we wrote this revision. */
  update(serviceKey: string, slice: SliceLike): void {
    this.revisions(serviceKey).set(slice.metadata.uid!, revision(slice));
  }

  /** ExpectDeletion: we deleted it; its lingering presence in the cache means the cache is stale. */
  expectDeletion(serviceKey: string, slice: SliceLike): void {
    this.revisions(serviceKey).set(slice.metadata.uid!, DELETION_EXPECTED);
  }

  /** HandleDeletion: the informer saw a deletion; true when it was not ours (then resync). */
  handleDeletion(serviceKey: string, slice: SliceLike): boolean {
    const tracked = this.byService.get(serviceKey);
    const rev = tracked?.get(slice.metadata.uid!);
    tracked?.delete(slice.metadata.uid!);
    if (tracked?.size === 0) this.byService.delete(serviceKey);
    return rev !== DELETION_EXPECTED;
  }

  /** DeleteService: the Service is gone; its slices go with it (garbage collector). */
  deleteService(serviceKey: string): void {
    this.byService.delete(serviceKey);
  }
}
