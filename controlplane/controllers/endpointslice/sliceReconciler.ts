// What to create, update and delete so that a Service's EndpointSlices hold exactly its desired
// endpoints (upstream: staging/src/k8s.io/endpointslice/reconciler.go Reconcile,
// reconcileByAddressType, reconcileByPortMapping, finalize). Pure: the controller performs the plan.
// The rules keep writes few, since every slice write reaches every proxy on every node:
//  1. an existing slice keeps the endpoints still desired, drops the others, and is written only
//     when one of them changed (or the Service's labels did); emptied slices are deleted;
//  2. new endpoints first fill slices already being written, fullest first;
//  3. the rest go into the unchanged slice that they fill most closely, else into new slices;
//  4. a Service with no endpoints keeps one empty "placeholder" slice;
//  5. a slice about to be deleted is reused (updated) instead of creating a new one.
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { newControllerRef } from '../controllerUtils/controllerRef.ts';
import type { KubeObject } from '../../client/types.ts';
import { ANNOTATION_LAST_CHANGE_TRIGGER_TIME, LABEL_HEADLESS, LABEL_SERVICE_NAME, isIPv6, isServiceIPSet } from './endpointUtil.ts';
import { type AddressType, type PortGroup, desiredEndpoints, endpointKey, endpointsEqualBeyondKey, portMapKey } from './podToEndpoint.ts';
import { formatTriggerTime } from './triggerTimeTracker.ts';

/** --max-endpoints-per-slice default (kube-controller-manager). */
export const MAX_ENDPOINTS_PER_SLICE = 100;

/** discovery/v1 LabelManagedBy, and the value this controller writes (ControllerName). */
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';

export type Slice = EndpointSlice & KubeObject;

export interface SlicePlan {
  create: Slice[];
  update: Slice[];
  delete: Slice[];
  /** Pods left out because their node is unknown: the caller retries the Service later. */
  skippedPods: string[];
}

export interface PlanInput {
  service: Service;
  pods: Pod[];
  /** The Service's slices managed by this controller and not being deleted. */
  existing: Slice[];
  nodes: (name: string) => Node | undefined;
  /** ms since the epoch, or undefined to clear the annotation. */
  triggerTime?: number;
  maxEndpointsPerSlice?: number;
}

/** getAddressTypesForService: from spec.ipFamilies, else the cluster IP's family, else both. */
export function addressTypesForService(svc: Service): AddressType[] {
  const fams = svc.spec?.ipFamilies ?? [];
  if (fams.length) return fams.filter((f): f is AddressType => f === 'IPv4' || f === 'IPv6');
  if (isServiceIPSet(svc)) return [isIPv6(svc.spec!.clusterIP!) ? 'IPv6' : 'IPv4'];
  return ['IPv4', 'IPv6'];
}

/** ownedBy: the slice's ownerReferences name this very Service (not an older one of the same name). */
export function ownedBy(slice: Slice, svc: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some((o) => o.uid === svc.metadata?.uid && o.kind === 'Service' && o.apiVersion === 'v1');
}

const RESERVED_LABELS = new Set([LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS]);

/**
 * setEndpointSliceLabels: the Service's labels plus the reserved ones; `changed` when the
 * non-reserved labels differ from the slice's (a reserved label alone never triggers a write).
 */
export function sliceLabels(slice: Pick<Slice, 'metadata'>, svc: Service): { labels: Record<string, string>; changed: boolean } {
  const own = Object.entries(slice.metadata.labels ?? {}).filter(([k]) => !RESERVED_LABELS.has(k));
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata?.labels ?? {})) if (!RESERVED_LABELS.has(k)) labels[k] = v;
  const changed = own.length !== Object.keys(labels).length || own.some(([k, v]) => labels[k] !== v);
  if (!isServiceIPSet(svc)) labels[LABEL_HEADLESS] = '';
  labels[LABEL_SERVICE_NAME] = svc.metadata!.name!;
  labels[LABEL_MANAGED_BY] = CONTROLLER_NAME;
  return { labels, changed };
}

/** newEndpointSlice: named by the API server from the "<service>-" prefix, owned by the Service. */
export function newEndpointSlice(svc: Service, ports: EndpointPort[], addressType: AddressType): Slice {
  const slice: Slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: '',
      generateName: `${svc.metadata!.name}-`,
      namespace: svc.metadata!.namespace,
      ownerReferences: [newControllerRef(svc as KubeObject, 'v1', 'Service')],
    },
    addressType,
    ports,
    endpoints: [],
  };
  slice.metadata.labels = sliceLabels(slice, svc).labels;
  return slice;
}

/** getSliceToFill: the slice that `count` more endpoints fill most closely without overflowing. */
export function sliceToFill(slices: Slice[], count: number, max: number): Slice | undefined {
  let closestDiff = max;
  let closest: Slice | undefined;
  for (const s of slices) {
    const diff = max - (count + s.endpoints.length);
    if (diff >= 0 && diff < closestDiff) {
      closestDiff = diff;
      closest = s;
      if (diff === 0) break;
    }
  }
  return closest;
}

function popFirst(set: Map<string, Endpoint>): Endpoint {
  const [key, ep] = set.entries().next().value as [string, Endpoint];
  set.delete(key);
  return ep;
}

/** reconcileByPortMapping: the plan for the slices of one port set. */
export function planPortMapping(svc: Service, existing: Slice[], group: PortGroup, addressType: AddressType, max: number): { create: Slice[]; update: Slice[]; delete: Slice[] } {
  const desired = new Map(group.endpoints);
  const byName = new Map<string, Slice>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete = new Set<string>();

  // 1. Keep the desired endpoints of each existing slice, drop the rest.
  for (const slice of existing) {
    byName.set(slice.metadata.name, slice);
    const kept: Endpoint[] = [];
    let endpointChanged = false;
    for (const ep of slice.endpoints ?? []) {
      const key = endpointKey(ep);
      const want = desired.get(key);
      if (!want) continue;
      kept.push(want);
      if (!endpointsEqualBeyondKey(want, ep)) endpointChanged = true;
      desired.delete(key);
    }
    const { labels, changed: labelsChanged } = sliceLabels(slice, svc);
    if (endpointChanged || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) toDelete.add(slice.metadata.name);
      else {
        byName.set(slice.metadata.name, { ...structuredClone(slice), endpoints: kept, metadata: { ...structuredClone(slice.metadata), labels } });
        toUpdate.add(slice.metadata.name);
      }
    } else if (labelsChanged) {
      byName.set(slice.metadata.name, { ...structuredClone(slice), metadata: { ...structuredClone(slice.metadata), labels } });
      toUpdate.add(slice.metadata.name);
    } else unchanged.add(slice.metadata.name);
  }

  // 2. Fill the slices already being written, fullest first.
  if (desired.size > 0 && toUpdate.size > 0) {
    const slices = [...toUpdate].map((n) => byName.get(n)!).sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const s of slices) while (desired.size > 0 && s.endpoints.length < max) s.endpoints.push(popFirst(desired));
  }

  // 3. Then an unchanged slice with room for all that is left, else new slices.
  const create: Slice[] = [];
  while (desired.size > 0) {
    let fill: Slice | undefined;
    if (desired.size < max && unchanged.size > 0) {
      const found = sliceToFill([...unchanged].map((n) => byName.get(n)!), desired.size, max);
      if (found) {
        fill = structuredClone(found);
        byName.set(fill.metadata.name, fill);
      }
    }
    fill ??= newEndpointSlice(svc, group.ports, addressType);
    while (desired.size > 0 && fill.endpoints.length < max) fill.endpoints.push(popFirst(desired));
    if (fill.metadata.name) {
      toUpdate.add(fill.metadata.name);
      unchanged.delete(fill.metadata.name);
    } else create.push(fill);
  }
  return { create, update: [...toUpdate].map((n) => byName.get(n)!), delete: [...toDelete].map((n) => byName.get(n)!) };
}

/** placeholderSliceCompare: the existing slice is already the placeholder that would be created. */
export function isSamePlaceholder(existing: Slice, placeholder: Slice): boolean {
  const refs = (s: Slice) => JSON.stringify((s.metadata.ownerReferences ?? []).map((o) => [o.apiVersion, o.kind, o.name, o.uid, !!o.controller, !!o.blockOwnerDeletion]));
  const a = existing.metadata.labels ?? {};
  const b = placeholder.metadata.labels ?? {};
  return (
    existing.metadata.namespace === placeholder.metadata.namespace &&
    Object.keys(a).length === Object.keys(b).length &&
    Object.entries(a).every(([k, v]) => b[k] === v) &&
    refs(existing) === refs(placeholder) &&
    existing.addressType === placeholder.addressType &&
    (existing.ports ?? []).length === 0 &&
    (existing.endpoints ?? []).length === 0
  );
}

/** reconcileByAddressType: the slices of one address family, placeholder and slice reuse included. */
function planAddressType(input: PlanInput, existing: Slice[], addressType: AddressType, max: number): SlicePlan {
  const { service: svc } = input;
  const plan: SlicePlan = { create: [], update: [], delete: [], skippedPods: [] };
  const existingByPortMap = new Map<string, Slice[]>();
  for (const s of existing) {
    if (!ownedBy(s, svc)) {
      plan.delete.push(s);
      continue;
    }
    const key = portMapKey(s.ports);
    existingByPortMap.set(key, [...(existingByPortMap.get(key) ?? []), s]);
  }
  const desired = desiredEndpoints(svc, input.pods, input.nodes, addressType);
  plan.skippedPods = desired.skipped;
  for (const [key, group] of desired.groups) {
    const p = planPortMapping(svc, existingByPortMap.get(key) ?? [], group, addressType, max);
    plan.create.push(...p.create);
    plan.update.push(...p.update);
    plan.delete.push(...p.delete);
  }
  for (const [key, slices] of existingByPortMap) if (!desired.groups.has(key)) plan.delete.push(...slices);

  if (existing.length === plan.delete.length && plan.create.length === 0) {
    const placeholder = newEndpointSlice(svc, [], addressType);
    if (plan.delete.length === 1 && isSamePlaceholder(plan.delete[0]!, placeholder)) plan.delete = [];
    else plan.create.push(placeholder);
  }

  // finalize: reuse a slice about to be deleted rather than create another.
  for (let i = 0; i < plan.delete.length && plan.create.length > 0; ) {
    const old = plan.delete[i]!;
    const fresh = plan.create[plan.create.length - 1]!;
    if (old.addressType === fresh.addressType && ownedBy(old, svc)) {
      plan.create.pop();
      const { generateName: _g, ...meta } = fresh.metadata;
      plan.update.push({ ...fresh, metadata: { ...meta, name: old.metadata.name, uid: old.metadata.uid, resourceVersion: old.metadata.resourceVersion, annotations: old.metadata.annotations } });
      plan.delete.splice(i, 1);
    } else i++;
  }
  return plan;
}

/** addTriggerTimeAnnotation: set on every slice written, removed when there is no new trigger time. */
function withTriggerTime(slice: Slice, triggerTime: number | undefined): Slice {
  const annotations = { ...(slice.metadata.annotations ?? {}) };
  if (triggerTime !== undefined) annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME] = formatTriggerTime(triggerTime);
  else delete annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME];
  return { ...slice, metadata: { ...slice.metadata, annotations } };
}

/** Reconcile: the whole plan for a Service with a selector. */
export function planSlices(input: PlanInput): SlicePlan {
  const max = input.maxEndpointsPerSlice ?? MAX_ENDPOINTS_PER_SLICE;
  const types = addressTypesForService(input.service);
  const plan: SlicePlan = { create: [], update: [], delete: [], skippedPods: [] };
  // The API may return a slice without endpoints (null in JSON): treat it as empty.
  input = { ...input, existing: input.existing.map((s) => (Array.isArray(s.endpoints) ? s : { ...s, endpoints: [] })) };
  // Slices of a family the Service no longer has go.
  for (const s of input.existing) if (!types.includes(s.addressType as AddressType)) plan.delete.push(s);
  for (const t of types) {
    const p = planAddressType(input, input.existing.filter((s) => s.addressType === t), t, max);
    plan.create.push(...p.create.map((s) => withTriggerTime(s, input.triggerTime)));
    plan.update.push(...p.update.map((s) => withTriggerTime(s, input.triggerTime)));
    plan.delete.push(...p.delete);
    for (const pod of p.skippedPods) if (!plan.skippedPods.includes(pod)) plan.skippedPods.push(pod);
  }
  return plan;
}
