// From pods to the endpoints a Service wants (upstream: staging/src/k8s.io/endpointslice/utils.go
// podToEndpoint, getEndpointPorts; util/endpointset.go; the first half of reconciler.go
// reconcileByAddressType). Endpoints are grouped by their resolved port set: a named targetPort may
// be a different number on different pods, and a slice has one port list for all its endpoints.
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';
import { isPodReady } from '../controllerUtils/podUtils.ts';
import { CLUSTER_IP_NONE, findPort, isIPv6, podIPs, shouldPodBeInEndpoints, shouldSetHostname } from './endpointUtil.ts';

export type AddressType = 'IPv4' | 'IPv6';

/** v1.LabelTopologyZone: copied from the pod's node into the endpoint. */
export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';

/** getEndpointAddresses: the pod's IPs of the slice's family. */
export function endpointAddresses(pod: Pod, addressType: AddressType): string[] {
  return podIPs(pod).filter((ip) => isIPv6(ip) === (addressType === 'IPv6'));
}

/**
 * podToEndpoint. serving = the pod is Ready; terminating = it is being deleted; ready = serving and
 * not terminating — or always, for a Service that publishes not-ready addresses.
 */
export function podToEndpoint(pod: Pod, node: Node | undefined, svc: Service, addressType: AddressType): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  const ready = !!svc.spec?.publishNotReadyAddresses || (serving && !terminating);
  const ep: Endpoint = {
    addresses: endpointAddresses(pod, addressType),
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata?.labels?.[LABEL_TOPOLOGY_ZONE];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname;
  return ep;
}

/**
 * getEndpointPorts: every Service port the pod has, with the number resolved on this pod. A port
 * the pod lacks (a named targetPort no container declares) is left out for this pod.
 */
export function endpointPorts(svc: Service, pod: Pod): EndpointPort[] {
  const ports: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    ports.push(ep);
  }
  return ports;
}

/** NewPortMapKey: the same ports in any order give the same key. */
export function portMapKey(ports: EndpointPort[] | undefined): string {
  return (ports ?? [])
    .map((p) => `${p.name ?? ''}/${p.protocol ?? 'TCP'}/${p.port ?? ''}/${p.appProtocol ?? ''}`)
    .sort()
    .join(',');
}

/** hashEndpoint: an endpoint's identity — addresses, hostname and the pod it stands for. */
export function endpointKey(ep: Endpoint): string {
  const ref = ep.targetRef;
  return JSON.stringify([[...ep.addresses].sort(), ep.hostname ?? '', ref?.namespace ?? '', ref?.name ?? '']);
}

/** EndpointsEqualBeyondHash: the rest of an endpoint — conditions, node, zone, hints, pod uid. */
export function endpointsEqualBeyondKey(a: Endpoint, b: Endpoint): boolean {
  const ca = a.conditions ?? {};
  const cb = b.conditions ?? {};
  return (
    !!ca.ready === !!cb.ready &&
    !!ca.serving === !!cb.serving &&
    !!ca.terminating === !!cb.terminating &&
    (a.zone ?? '') === (b.zone ?? '') &&
    (a.nodeName ?? '') === (b.nodeName ?? '') &&
    JSON.stringify(a.hints ?? null) === JSON.stringify(b.hints ?? null) &&
    JSON.stringify(a.targetRef ?? null) === JSON.stringify(b.targetRef ?? null)
  );
}

/** The endpoints of one port set (an endpointsliceutil.EndpointSet, plus its endpointMeta). */
export interface PortGroup {
  ports: EndpointPort[];
  /** By endpointKey; insertion order is pod order. */
  endpoints: Map<string, Endpoint>;
}

export interface DesiredEndpoints {
  groups: Map<string, PortGroup>;
  /** Pods left out because their node is not known (the Service is synced again later). */
  skipped: string[];
}

/**
 * The desired endpoints of a Service, grouped by port map key. A pod on a node that does not exist
 * is left out, so a stale pod cannot pin a slice forever — unless the Service publishes not-ready
 * addresses, whose owner asked for every address.
 */
export function desiredEndpoints(svc: Service, pods: Pod[], nodes: (name: string) => Node | undefined, addressType: AddressType): DesiredEndpoints {
  const groups = new Map<string, PortGroup>();
  const skipped: string[] = [];
  const headlessWithoutPorts = (svc.spec?.ports ?? []).length === 0 && svc.spec?.clusterIP === CLUSTER_IP_NONE;
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = headlessWithoutPorts ? [] : endpointPorts(svc, pod);
    const key = portMapKey(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports, endpoints: new Map() }));
    const node = pod.spec?.nodeName ? nodes(pod.spec.nodeName) : undefined;
    if (!node && !svc.spec?.publishNotReadyAddresses) {
      skipped.push(pod.metadata!.name!);
      continue;
    }
    const ep = podToEndpoint(pod, node, svc, addressType);
    if (ep.addresses.length > 0) group.endpoints.set(endpointKey(ep), ep);
  }
  return { groups, skipped };
}
