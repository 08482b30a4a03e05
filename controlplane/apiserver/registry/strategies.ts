// Per-resource rules the generic store applies around every write (upstream: each
// pkg/registry/<group>/<resource>/strategy.go — PrepareForCreate, PrepareForUpdate, status
// strategies). What they share: a write to the main resource cannot change status, a write to
// /status cannot change anything but status, and a spec change bumps metadata.generation.
import { isDeepStrictEqual } from 'node:util';
import type { ResourceInfo } from '../../api/resources.ts';
import { prepareForCreate as prepareKindForCreate } from '../../api/defaults/index.ts';

type Obj = Record<string, any>;

/** Kinds whose controllers report status.observedGeneration against metadata.generation. */
const GENERATION_TRACKED = new Set(['deployments', 'replicasets', 'daemonsets', 'statefulsets', 'jobs', 'cronjobs']);

export function hasStatusSubresource(r: ResourceInfo): boolean {
  return r.subresources.some((s) => s.name === 'status');
}

/** The part of an object that is "spec" for generation purposes: everything but metadata and status. */
function specOf(o: Obj): Obj {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

/**
 * Resets what a client may not set on create; the kind-specific steps (a pod starts Pending with
 * its QoS class, a namespace Active with its finalizer, a Job gets its selector) are the API's.
 */
export function prepareForCreate(r: ResourceInfo, obj: Obj): void {
  const md = obj.metadata;
  if (GENERATION_TRACKED.has(r.plural)) md.generation = 1;
  prepareKindForCreate(r.kind, r.group, obj);
  switch (r.plural) {
    case 'pods':
    case 'nodes': // Nodes may be created with status (the kubelet registers that way).
    case 'namespaces':
      break;
    case 'services':
      obj.status = { loadBalancer: {} };
      break;
    case 'persistentvolumes':
    case 'persistentvolumeclaims':
      obj.status = { phase: 'Pending' };
      break;
    default:
      if (hasStatusSubresource(r) && r.group !== '') obj.status = {};
  }
}

/** A write to the main resource: status stays as it was; a spec change bumps generation. */
export function prepareForUpdate(r: ResourceInfo, next: Obj, old: Obj): void {
  if (hasStatusSubresource(r) && r.plural !== 'nodes') {
    if (old.status === undefined) delete next.status;
    else next.status = old.status;
  }
  if (old.metadata.generation !== undefined) {
    next.metadata.generation = old.metadata.generation;
    if (!isDeepStrictEqual(specOf(next), specOf(old))) next.metadata.generation = old.metadata.generation + 1;
  }
}

/** A write to /status: only status (and, as upstream allows, labels/annotations are kept from old). */
export function prepareForStatusUpdate(_r: ResourceInfo, next: Obj, old: Obj): Obj {
  const merged = structuredClone(old);
  merged.status = next.status;
  merged.metadata.resourceVersion = next.metadata?.resourceVersion;
  return merged;
}

/** Server-owned metadata a client cannot change through update or patch. */
export function keepServerMetadata(next: Obj, old: Obj): void {
  const md = (next.metadata ??= {});
  const omd = old.metadata;
  md.uid = omd.uid;
  md.creationTimestamp = omd.creationTimestamp;
  if (omd.deletionTimestamp) md.deletionTimestamp = omd.deletionTimestamp;
  else delete md.deletionTimestamp;
  if (omd.deletionGracePeriodSeconds !== undefined) md.deletionGracePeriodSeconds = omd.deletionGracePeriodSeconds;
  else delete md.deletionGracePeriodSeconds;
  if (omd.generation !== undefined) md.generation = omd.generation;
  else delete md.generation;
  if (md.selfLink !== undefined) delete md.selfLink;
}
