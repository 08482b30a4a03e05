// The core/v1 Endpoints a Service should have (upstream: pkg/controller/endpoint/
// endpoints_controller.go syncService, addEndpointSubset, truncateEndpoints; pkg/api/v1/endpoints/
// util.go RepackSubsets, SortSubsets). Pure. Each pod contributes one address per Service port it
// has; repacking then groups addresses that share the same ports into one subset, ready ones under
// `addresses` and the others under `notReadyAddresses` — `kubectl get ep` prints the result.
import type { EndpointAddress, EndpointPort, Endpoints, EndpointSubset, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../client/types.ts';
import { isPodReady } from '../controllerUtils/podUtils.ts';
import {
  ANNOTATION_LAST_CHANGE_TRIGGER_TIME,
  API_SERVER_SERVICE,
  CLUSTER_IP_NONE,
  LABEL_HEADLESS,
  findPort,
  isIPv6,
  isServiceIPSet,
  podIPs,
  serviceSelector,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from '../endpointslice/endpointUtil.ts';
import { formatTriggerTime } from '../endpointslice/triggerTimeTracker.ts';

/** maxCapacity: an Endpoints object holds at most this many addresses; the rest are truncated. */
export const MAX_ENDPOINTS_CAPACITY = 1000;
/** v1.EndpointsOverCapacity, set to "truncated" when addresses were dropped. */
export const ANNOTATION_OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';

export type EndpointsObj = Endpoints & KubeObject;

/**
 * Whether this controller writes the Service's Endpoints: not for ExternalName Services, not for
 * Services without a selector (their owners write Endpoints themselves), and never for the
 * `kubernetes` Service, whose Endpoints the API server keeps pointing at itself.
 */
export function managesEndpoints(svc: Service): boolean {
  if (svc.metadata?.namespace === API_SERVER_SERVICE.namespace && svc.metadata?.name === API_SERVER_SERVICE.name) return false;
  return svc.spec?.type !== 'ExternalName' && serviceSelector(svc) !== undefined;
}

/**
 * podToEndpointAddressForService: the pod's IP of the Service's (first) family, with the pod as
 * target; undefined when the pod has no IP of that family.
 */
export function podToEndpointAddress(svc: Service, pod: Pod): EndpointAddress | undefined {
  let v6: boolean;
  if (svc.spec?.ipFamilies?.length) v6 = svc.spec.ipFamilies[0] === 'IPv6';
  else if (isServiceIPSet(svc)) v6 = isIPv6(svc.spec!.clusterIP!);
  else v6 = isIPv6(pod.status?.podIP ?? ''); // headless: the pod's primary IP decides
  const ip = podIPs(pod).find((i) => isIPv6(i) === v6);
  if (!ip) return undefined;
  const addr: EndpointAddress = { ip, targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid } };
  if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
  if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec!.hostname;
  return addr;
}

/** The pods' subsets before repacking: one per (pod, port), ready or not (addEndpointSubset). */
export function podSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const publishNotReady = !!svc.spec?.publishNotReadyAddresses;
  const subsets: EndpointSubset[] = [];
  const add = (pod: Pod, addr: EndpointAddress, port: EndpointPort | undefined) => {
    const ports = port ? [port] : [];
    if (publishNotReady || isPodReady(pod)) subsets.push({ addresses: [addr], ports });
    else subsets.push({ notReadyAddresses: [addr], ports });
  };
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const addr = podToEndpointAddress(svc, pod);
    if (!addr) continue;
    const svcPorts = svc.spec?.ports ?? [];
    if (svcPorts.length === 0) {
      // A headless Service may have no ports: its addresses are still published (for DNS).
      if (svc.spec?.clusterIP === CLUSTER_IP_NONE) add(pod, addr, undefined);
      continue;
    }
    for (const sp of svcPorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { name: sp.name, port, protocol: sp.protocol ?? 'TCP' };
      if (!sp.name) delete ep.name;
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      add(pod, addr, ep);
    }
  }
  return subsets;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const addressKey = (a: EndpointAddress) => `${a.ip}/${a.targetRef?.uid ?? ''}`;
const portKey = (p: EndpointPort) => `${p.name ?? ''}/${p.port}/${p.protocol ?? 'TCP'}/${p.appProtocol ?? ''}`;
/** The sentinel port of a subset without ports, so its addresses are not lost. */
const NO_PORT = '';

function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  // LessEndpointAddress: by IP (as bytes), then by target uid.
  return cmp(a.ip, b.ip) || cmp(a.targetRef?.uid ?? '', b.targetRef?.uid ?? '');
}

/**
 * RepackSubsets: the smallest set of subsets — every group of addresses that offers the same
 * ports becomes one subset. An address that is not ready on some port is not ready there.
 */
export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const addrs = new Map<string, EndpointAddress>();
  const ports = new Map<string, EndpointPort | undefined>();
  /** port key → address key → ready */
  const byPort = new Map<string, Map<string, boolean>>();
  const mapAddress = (addr: EndpointAddress, pk: string, ready: boolean) => {
    const ak = addressKey(addr);
    if (!addrs.has(ak)) addrs.set(ak, addr);
    let set = byPort.get(pk);
    if (!set) byPort.set(pk, (set = new Map()));
    // Not ready wins over ready.
    if (set.get(ak) !== false) set.set(ak, ready);
  };
  for (const s of subsets) {
    const sPorts = s.ports?.length ? s.ports : [undefined];
    for (const p of sPorts) {
      const pk = p ? portKey(p) : NO_PORT;
      ports.set(pk, p);
      for (const a of s.addresses ?? []) mapAddress(a, pk, true);
      for (const a of s.notReadyAddresses ?? []) mapAddress(a, pk, false);
    }
  }
  // Group ports by the exact set of (address, readiness) offering them.
  const groups = new Map<string, { set: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const [pk, set] of byPort) {
    const gk = [...set.entries()].map(([a, r]) => `${a}=${r}`).sort().join(',');
    let g = groups.get(gk);
    if (!g) groups.set(gk, (g = { set, ports: [] }));
    const port = ports.get(pk);
    if (port) g.ports.push(port);
  }
  const out: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [ak, r] of g.set) (r ? ready : notReady).push(addrs.get(ak)!);
    const subset: EndpointSubset = {};
    if (ready.length) subset.addresses = ready;
    if (notReady.length) subset.notReadyAddresses = notReady;
    if (g.ports.length) subset.ports = g.ports;
    out.push(subset);
  }
  return sortSubsets(out);
}

/** SortSubsets: a stable order so that equal contents compare equal. */
export function sortSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  for (const s of subsets) {
    s.addresses?.sort(compareAddresses);
    s.notReadyAddresses?.sort(compareAddresses);
    s.ports?.sort((a, b) => cmp(portKey(a), portKey(b)));
  }
  const first = (s: EndpointSubset) => (s.addresses ?? s.notReadyAddresses ?? [])[0];
  return subsets.sort((a, b) => {
    const fa = first(a);
    const fb = first(b);
    if (fa && fb && compareAddresses(fa, fb) !== 0) return compareAddresses(fa, fb);
    return cmp((a.ports ?? []).map(portKey).join(','), (b.ports ?? []).map(portKey).join(','));
  });
}

/** The subsets a Service should have: podSubsets, repacked. */
export function desiredSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  return repackSubsets(podSubsets(svc, pods));
}

/**
 * truncateEndpoints: keeps at most MAX_ENDPOINTS_CAPACITY addresses, dropping not-ready ones first,
 * each subset keeping its share. Returns whether anything was dropped.
 */
export function truncateSubsets(subsets: EndpointSubset[], max = MAX_ENDPOINTS_CAPACITY): boolean {
  const totalReady = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  const totalNotReady = subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
  if (totalReady + totalNotReady <= max) return false;
  const truncateReady = totalReady > max;
  const room = truncateReady ? max : max - totalReady;
  const total = truncateReady ? totalReady : totalNotReady;
  let canAdd = room;
  for (const s of subsets) {
    const n = (truncateReady ? s.addresses : s.notReadyAddresses)?.length ?? 0;
    const take = Math.min(Math.ceil((n / total) * room), canAdd);
    if (truncateReady) {
      s.addresses = (s.addresses ?? []).slice(0, take);
      delete s.notReadyAddresses;
      canAdd -= s.addresses.length;
    } else {
      s.notReadyAddresses = (s.notReadyAddresses ?? []).slice(0, take);
      canAdd -= s.notReadyAddresses.length;
    }
  }
  return true;
}

/** A canonical form for comparisons: keys sorted, empty lists and maps dropped (Semantic.DeepEqual). */
export function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(canonical) : undefined;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const c = canonical((v as Record<string, unknown>)[k]);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v;
}

/** endpointSubsetsEqualIgnoreResourceVersion: a pod's resourceVersion in targetRef is not a change. */
export function subsetsEqual(a: EndpointSubset[] | undefined, b: EndpointSubset[] | undefined): boolean {
  const strip = (ss: EndpointSubset[] | undefined) =>
    (ss ?? []).map((s) => ({
      ...s,
      addresses: s.addresses?.map((x) => ({ ...x, targetRef: x.targetRef && { ...x.targetRef, resourceVersion: undefined } })),
      notReadyAddresses: s.notReadyAddresses?.map((x) => ({ ...x, targetRef: x.targetRef && { ...x.targetRef, resourceVersion: undefined } })),
    }));
  return JSON.stringify(canonical(strip(a)) ?? null) === JSON.stringify(canonical(strip(b)) ?? null);
}

function withoutKey(m: Record<string, string> | undefined, key: string): Record<string, string> {
  const { [key]: _drop, ...rest } = m ?? {};
  return rest;
}

/**
 * The Endpoints to write, or undefined when `current` already says it all: same subsets, the
 * Service's labels, and the over-capacity annotation right. The trigger time alone is no change.
 */
export function endpointsToWrite(current: EndpointsObj | undefined, svc: Service, subsets: EndpointSubset[], triggerTime: number | undefined): EndpointsObj | undefined {
  if (current) {
    const count = (current.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
    const capacityOk = count <= MAX_ENDPOINTS_CAPACITY && !(ANNOTATION_OVER_CAPACITY in (current.metadata.annotations ?? {}));
    const labelsSame = JSON.stringify(canonical(withoutKey(current.metadata.labels, LABEL_HEADLESS)) ?? null) === JSON.stringify(canonical(withoutKey(svc.metadata?.labels, LABEL_HEADLESS)) ?? null);
    if (subsetsEqual(current.subsets, subsets) && labelsSame && capacityOk) return undefined;
  }
  const base: EndpointsObj = current ? structuredClone(current) : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: svc.metadata!.name!, namespace: svc.metadata!.namespace } };
  const next: EndpointsObj = { ...base, subsets: structuredClone(subsets) };
  const annotations = { ...(next.metadata.annotations ?? {}) };
  if (triggerTime !== undefined) annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME] = formatTriggerTime(triggerTime);
  else delete annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME];
  if (truncateSubsets(next.subsets!)) annotations[ANNOTATION_OVER_CAPACITY] = 'truncated';
  else delete annotations[ANNOTATION_OVER_CAPACITY];
  const labels = withoutKey(svc.metadata?.labels, LABEL_HEADLESS);
  if (!isServiceIPSet(svc)) labels[LABEL_HEADLESS] = '';
  next.metadata = { ...next.metadata, labels, annotations };
  if (!Object.keys(annotations).length) delete next.metadata.annotations;
  return next;
}
