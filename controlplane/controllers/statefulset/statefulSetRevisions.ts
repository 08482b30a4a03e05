// A StatefulSet's revision history (stateful_set_control.go getStatefulSetRevisions and
// truncateHistory): the update revision is the recorded template equal to the set's template —
// reused when it is the newest, renumbered when it is older (a rollback), created otherwise; the
// current revision is the one status.currentRevision names, or the update revision at first.
import type { ResourceClient } from '../../client/types.ts';
import { isNotFound } from '../../client/types.ts';
import {
  createControllerRevision,
  equalRevision,
  findEqualRevisions,
  newControllerRevision,
  nextRevision,
  sortRevisions,
  templatePatch,
  type Revision,
} from './controllerHistory.ts';
import { podRevision, type PodObj, type STS } from './statefulSetUtils.ts';

/** newRevision: the set's template as a revision numbered `revision`, annotated like the set. */
export function newStatefulSetRevision(set: STS, revision: number, collisionCount: number): Revision {
  const cr = newControllerRevision(set, 'StatefulSet', set.spec?.template?.metadata?.labels, templatePatch(set.spec?.template), revision, collisionCount);
  if (set.metadata.annotations) cr.metadata.annotations = { ...set.metadata.annotations };
  return cr;
}

export interface StatefulSetRevisions {
  current: Revision;
  update: Revision;
  collisionCount: number;
}

export async function getStatefulSetRevisions(client: ResourceClient<Revision>, set: STS, owned: Revision[]): Promise<StatefulSetRevisions> {
  const revisions = sortRevisions(owned);
  const collisionCount = { value: set.status?.collisionCount ?? 0 };
  let update = newStatefulSetRevision(set, nextRevision(revisions), collisionCount.value);
  const equal = findEqualRevisions(revisions, update);
  const newest = revisions[revisions.length - 1];
  if (equal.length > 0 && equalRevision(newest, equal[equal.length - 1])) {
    update = newest!;
  } else if (equal.length > 0) {
    // A rollback: the old snapshot becomes the newest by taking the next revision number.
    const old = structuredClone(equal[equal.length - 1]!);
    old.revision = update.revision;
    update = await client.update(old);
  } else {
    update = await createControllerRevision(client, set, update, collisionCount);
  }
  const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount: collisionCount.value };
}

/**
 * The revisions to delete to keep spec.revisionHistoryLimit: never a live one (current, update, or
 * named by a pod), oldest first.
 */
export function revisionsToTruncate(set: STS, owned: Revision[], pods: PodObj[], live: (string | undefined)[]): Revision[] {
  const liveNames = new Set<string>([...live.filter((n): n is string => !!n), ...pods.map(podRevision)]);
  const history = sortRevisions(owned).filter((r) => !liveNames.has(r.metadata.name));
  const limit = set.spec?.revisionHistoryLimit ?? 10;
  if (limit < 0 || history.length <= limit) return [];
  return history.slice(0, history.length - limit);
}

export async function truncateHistory(client: ResourceClient<Revision>, set: STS, owned: Revision[], pods: PodObj[], live: (string | undefined)[]): Promise<void> {
  for (const r of revisionsToTruncate(set, owned, pods, live)) {
    try {
      await client.delete(r.metadata.name, { preconditions: { uid: r.metadata.uid } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
