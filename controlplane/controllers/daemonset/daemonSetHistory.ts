// A DaemonSet's revision history (pkg/controller/daemon/update.go constructHistory, snapshot,
// dedupCurHistories, cleanupHistory): one ControllerRevision per template, named
// <ds>-<template hash> and labelled controller-revision-hash=<hash>; the pods carry the same hash.
// The current revision is the one whose recorded template equals the DaemonSet's.
import type { ResourceClient } from '../../client/types.ts';
import { isAlreadyExists, isNotFound } from '../../client/types.ts';
import { newControllerRef } from '../controllerUtils/controllerRef.ts';
import { computeHash } from '../deployment/hash.ts';
import { revisionData, sortRevisions, templatePatch, type Revision } from '../statefulset/controllerHistory.ts';
import { DAEMONSET_HASH_LABEL, type DS, type PodObj } from './daemonSetUtils.ts';

export class HashCollisionError extends Error {}

/** Match: the revision recorded exactly this DaemonSet's template. */
export const matchesTemplate = (ds: DS, r: Revision): boolean => revisionData(r) === revisionData({ data: templatePatch(ds.spec?.template) });

export const revisionHash = (r: Revision): string => r.metadata.labels?.[DAEMONSET_HASH_LABEL] ?? r.metadata.name;

export interface HistoryDeps {
  revisions: ResourceClient<Revision>;
  pods: ResourceClient<PodObj>;
  /** Writes status.collisionCount after a hash collision. */
  bumpCollisionCount(ds: DS): Promise<void>;
}

export interface History {
  current: Revision;
  old: Revision[];
}

/** snapshot: records the template as a new revision; on a name clash with other data, counts a collision. */
async function snapshot(d: HistoryDeps, ds: DS, revision: number): Promise<Revision> {
  const hash = computeHash(ds.spec?.template, ds.status?.collisionCount);
  const cr: Revision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${ds.metadata.name}-${hash}`,
      namespace: ds.metadata.namespace,
      labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [DAEMONSET_HASH_LABEL]: hash },
      ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(ds, 'apps/v1', 'DaemonSet')],
    },
    data: templatePatch(ds.spec?.template),
    revision,
  };
  try {
    return await d.revisions.create(cr);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    const existing = await d.revisions.get(cr.metadata.name);
    if (matchesTemplate(ds, existing)) return existing;
    await d.bumpCollisionCount(ds);
    throw new HashCollisionError(`found a stale controller revision ${cr.metadata.name} with other data: hash collision, retrying with a new collision count`);
  }
}

/**
 * dedupCurHistories: several revisions recorded the same template (a race); keep the newest,
 * move pods labelled with the others' hashes onto it, delete the others.
 */
async function dedup(d: HistoryDeps, ds: DS, currents: Revision[], pods: PodObj[]): Promise<Revision> {
  const sorted = sortRevisions(currents);
  const keep = sorted[sorted.length - 1]!;
  const keepHash = revisionHash(keep);
  for (const dup of sorted.slice(0, -1)) {
    const dupHash = revisionHash(dup);
    for (const pod of pods) {
      if (pod.metadata.labels?.[DAEMONSET_HASH_LABEL] !== dupHash) continue;
      await d.pods.patch(pod.metadata.name, 'merge', { metadata: { labels: { [DAEMONSET_HASH_LABEL]: keepHash } } }).catch((e) => {
        if (!isNotFound(e)) throw e;
      });
    }
    await d.revisions.delete(dup.metadata.name).catch((e) => {
      if (!isNotFound(e)) throw e;
    });
  }
  return keep;
}

/** constructHistory: the current revision (made if missing, renumbered newest if older) and the old ones. */
export async function constructHistory(d: HistoryDeps, ds: DS, owned: Revision[], pods: PodObj[]): Promise<History> {
  const currents: Revision[] = [];
  const old: Revision[] = [];
  for (const r of owned) (matchesTemplate(ds, r) ? currents : old).push(r);
  const next = Math.max(0, ...old.map((r) => r.revision)) + 1;
  if (currents.length === 0) return { current: await snapshot(d, ds, next), old };
  let current = currents.length > 1 ? await dedup(d, ds, currents, pods) : currents[0]!;
  if (current.revision < next) {
    // A rollback to an older template: that revision becomes the newest.
    current = await d.revisions.update({ ...structuredClone(current), revision: next });
  }
  return { current, old };
}

/**
 * cleanupHistory: the old revisions to delete to keep spec.revisionHistoryLimit, oldest first,
 * never one whose hash a live pod still carries.
 */
export function revisionsToCleanUp(ds: DS, old: Revision[], pods: PodObj[]): Revision[] {
  const limit = ds.spec?.revisionHistoryLimit ?? 10;
  let toKill = old.length - limit;
  if (toKill <= 0) return [];
  const live = new Set(pods.map((p) => p.metadata.labels?.[DAEMONSET_HASH_LABEL]).filter(Boolean));
  const out: Revision[] = [];
  for (const r of sortRevisions(old)) {
    if (toKill <= 0) break;
    if (live.has(revisionHash(r))) continue;
    out.push(r);
    toKill--;
  }
  return out;
}
