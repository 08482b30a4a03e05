// What the namespace deleter removes and how long it waits (upstream:
// pkg/controller/namespace/deletion/namespaced_resources_deleter.go), as pure functions.
import { RESOURCES, type ResourceInfo } from '../../api/resources.ts';
import type { KubeObject } from '../../client/types.ts';

/** The finalizer in spec.finalizers that this controller owns (FinalizerKubernetes). */
export const FINALIZER_KUBERNETES = 'kubernetes';

/** Never wait less than this before looking again at a namespace with content left. */
export const MIN_RECHECK_MS = 1_000;
/** Upstream requeues by the pods' remaining grace; cap it so a kubelet that finishes early is noticed. */
export const MAX_RECHECK_MS = 15_000;

/** Every namespaced kind that can be listed and deleted: the namespace's possible content. */
export function deletableNamespacedResources(resources: ResourceInfo[] = RESOURCES): ResourceInfo[] {
  return resources.filter((r) => r.namespaced && r.verbs.includes('list') && r.verbs.includes('delete'));
}

export function hasKubernetesFinalizer(ns: KubeObject): boolean {
  return (ns.spec?.finalizers ?? []).includes(FINALIZER_KUBERNETES);
}

/** spec.finalizers without ours, for the finalize subresource. */
export function finalizersWithoutKubernetes(ns: KubeObject): string[] {
  return (ns.spec?.finalizers ?? []).filter((f: string) => f !== FINALIZER_KUBERNETES);
}

/**
 * How long to wait before checking the remaining content again: until the last remaining pod's
 * deletionTimestamp (its grace period), clamped to [MIN_RECHECK_MS, MAX_RECHECK_MS].
 */
export function recheckDelayMs(remaining: KubeObject[], nowMs: number): number {
  let latest = nowMs;
  for (const o of remaining) {
    const t = Date.parse(o.metadata.deletionTimestamp ?? '');
    if (!Number.isNaN(t)) latest = Math.max(latest, t);
  }
  return Math.min(MAX_RECHECK_MS, Math.max(MIN_RECHECK_MS, latest - nowMs));
}

export interface ContentSummary {
  /** "pods.: 2", "replicasets.apps: 1" — upstream's message in NamespaceContentRemaining. */
  resources: string[];
  /** Finalizers still held by remaining objects: "foregroundDeletion in 1 resource instances". */
  finalizers: string[];
}

export function summarizeRemaining(remaining: { resource: ResourceInfo; items: KubeObject[] }[]): ContentSummary {
  const resources: string[] = [];
  const finalizerCounts = new Map<string, number>();
  for (const { resource, items } of remaining) {
    if (items.length === 0) continue;
    resources.push(`${resource.plural}.${resource.group}: ${items.length}`);
    for (const o of items) for (const f of o.metadata.finalizers ?? []) finalizerCounts.set(f, (finalizerCounts.get(f) ?? 0) + 1);
  }
  const finalizers = [...finalizerCounts].sort(([a], [b]) => a.localeCompare(b)).map(([f, n]) => `${f} in ${n} resource instances`);
  return { resources: resources.sort(), finalizers };
}

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

/**
 * The deletion conditions upstream keeps on a terminating namespace (updateNamespaceStatusFunc):
 * content failures, content remaining, finalizers remaining. Discovery cannot fail here (the kinds
 * are the built-in ones), so those conditions are always False.
 */
export function deletionConditions(failures: string[], summary: ContentSummary): NamespaceCondition[] {
  const cond = (type: string, problems: string[], whenTrue: [string, string], whenFalse: [string, string]): NamespaceCondition =>
    problems.length
      ? { type, status: 'True', reason: whenTrue[0], message: `${whenTrue[1]}${problems.join(', ')}` }
      : { type, status: 'False', reason: whenFalse[0], message: whenFalse[1] };
  return [
    cond('NamespaceDeletionDiscoveryFailure', [], ['DiscoveryFailed', ''], ['ResourcesDiscovered', 'All resources successfully discovered']),
    cond('NamespaceDeletionGroupVersionParsingFailure', [], ['GroupVersionParsingFailed', ''], ['ParsedGroupVersions', 'All legacy kube types successfully parsed']),
    cond('NamespaceDeletionContentFailure', failures, ['ContentDeletionFailed', `Failed to delete all resource types, ${failures.length} remaining: `], ['ContentDeleted', 'All content successfully deleted, may be waiting on finalization']),
    cond('NamespaceContentRemaining', summary.resources, ['SomeResourcesRemain', 'Some resources are remaining: '], ['ContentRemoved', 'All content successfully removed']),
    cond('NamespaceFinalizersRemaining', summary.finalizers, ['SomeFinalizersRemain', 'Some content in the namespace has finalizers remaining: '], ['ContentHasNoFinalizers', 'All content-preserving finalizers finished']),
  ];
}

/** Carries lastTransitionTime over from conditions whose status did not change. */
export function mergeConditions(old: NamespaceCondition[], next: NamespaceCondition[], nowIso: string): NamespaceCondition[] {
  return next.map((c) => {
    const prev = old.find((o) => o.type === c.type);
    return { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : nowIso };
  });
}

export function sameConditions(a: NamespaceCondition[], b: NamespaceCondition[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((c) => b.some((d) => d.type === c.type && d.status === c.status && d.reason === c.reason && d.message === c.message));
}
