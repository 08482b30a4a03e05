// Facts about pods and Services that both the EndpointSlice and the Endpoints controller decide on
// (upstream: staging/src/k8s.io/endpointslice/util/controller_utils.go and utils.go FindPort):
// which pods belong in a Service's endpoints, which port a Service port reaches on a pod, and
// which Services a pod change concerns.
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { matchesLabels, selectorRequirements } from '../../api/selectors.ts';
import { ApiStatusError } from '../../client/types.ts';
import { isPodReady } from '../controllerUtils/podUtils.ts';

/** The Service `kubernetes` in `default` points at the API server itself, which owns its Endpoints. */
export const API_SERVER_SERVICE = { namespace: 'default', name: 'kubernetes' };

/** v1.ClusterIPNone: a headless Service. */
export const CLUSTER_IP_NONE = 'None';

/** discovery/v1 LabelServiceName and v1.IsHeadlessService. */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';

/** v1.EndpointsLastChangeTriggerTime: when the change the object reflects happened. */
export const ANNOTATION_LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

/**
 * The selector of a Service as a map, or undefined when it has none. An empty map counts as none:
 * in JSON `selector: {}` and no selector are the same thing (omitempty), and upstream skips both.
 */
export function serviceSelector(svc: Service): Record<string, string> | undefined {
  const sel = svc.spec?.selector;
  return sel && Object.keys(sel).length > 0 ? sel : undefined;
}

/** The pod selects into the Service: every selector label equal (labels.SelectorFromSet). */
export function serviceSelectsPod(svc: Service, pod: Pod): boolean {
  const sel = serviceSelector(svc);
  if (!sel || svc.metadata?.namespace !== pod.metadata?.namespace) return false;
  return matchesLabels(selectorRequirements({ matchLabels: sel }), pod.metadata?.labels);
}

/** isServiceIPSet: a Service with a cluster IP (not headless, not yet unallocated). */
export function isServiceIPSet(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return !!ip && ip !== CLUSTER_IP_NONE;
}

/** Succeeded or Failed: the pod's containers will not run again (podutil.IsPodTerminal). */
export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** status.podIPs, or status.podIP alone when only that is set. */
export function podIPs(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => !!ip);
  if (ips.length) return ips;
  return pod.status?.podIP ? [pod.status.podIP] : [];
}

export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

/**
 * ShouldPodBeInEndpoints: a pod is an endpoint once it has an IP, until it is terminal. Pods being
 * deleted are kept only when the caller asks (the EndpointSlice controller keeps them, marked
 * terminating; the Endpoints controller keeps them only for publishNotReadyAddresses).
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (podIPs(pod).length === 0) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** ShouldSetHostname: the pod asked for a DNS name under this (headless) Service. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec?.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace;
}

/**
 * FindPort: the pod port a Service port sends to. A numeric targetPort is used as is; a named one
 * is looked up among the containers' ports (and sidecars', init containers with restartPolicy
 * Always) with the same name and protocol. Undefined when the pod has no such port.
 */
export function findPort(pod: Pod, svcPort: ServicePort): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port;
  if (typeof target === 'number') return target;
  const protocol = svcPort.protocol ?? 'TCP';
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const c of [...(pod.spec?.containers ?? []), ...sidecars]) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** GetPodServiceMemberships: the keys of the Services in the pod's namespace that select it. */
export function podServiceMemberships(services: Service[], pod: Pod): Set<string> {
  const keys = new Set<string>();
  for (const svc of services) if (serviceSelectsPod(svc, pod)) keys.add(`${svc.metadata!.namespace}/${svc.metadata!.name}`);
  return keys;
}

function sameMap(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => a![k] === b?.[k]);
}

/**
 * podEndpointsChanged: [whether the pod's endpoint changed, whether its Service membership may
 * have]. Name, namespace and uid are immutable and nodeName is set before the pod gets an IP, so
 * deletion, readiness and IPs are what can change an endpoint.
 */
export function podEndpointsChanged(oldPod: Pod, newPod: Pod): { podChanged: boolean; labelsChanged: boolean } {
  const labelsChanged =
    !sameMap(oldPod.metadata?.labels, newPod.metadata?.labels) ||
    oldPod.spec?.hostname !== newPod.spec?.hostname ||
    oldPod.spec?.subdomain !== newPod.spec?.subdomain;
  const podChanged =
    oldPod.metadata?.deletionTimestamp !== newPod.metadata?.deletionTimestamp ||
    isPodReady(oldPod) !== isPodReady(newPod) ||
    podIPs(oldPod).join(',') !== podIPs(newPod).join(',') ||
    oldPod.status?.phase !== newPod.status?.phase; // a pod turning terminal leaves the endpoints
  return { podChanged, labelsChanged };
}

/**
 * GetServicesToUpdateOnPodChange: a resync or an irrelevant change concerns no Service; a label
 * change concerns the Services the pod left or joined (and all of them if the endpoint changed too).
 */
export function servicesToUpdateOnPodChange(services: Service[], oldPod: Pod, newPod: Pod): Set<string> {
  if (oldPod.metadata?.resourceVersion === newPod.metadata?.resourceVersion) return new Set();
  const { podChanged, labelsChanged } = podEndpointsChanged(oldPod, newPod);
  if (!podChanged && !labelsChanged) return new Set();
  const current = podServiceMemberships(services, newPod);
  if (!labelsChanged) return current;
  const old = podServiceMemberships(services, oldPod);
  if (podChanged) return new Set([...old, ...current]);
  // determineNeededServiceUpdates: only the Services the pod joined or left.
  const diff = new Set<string>();
  for (const k of old) if (!current.has(k)) diff.add(k);
  for (const k of current) if (!old.has(k)) diff.add(k);
  return diff;
}

/**
 * The namespace is being deleted: creates there fail until it is gone, so the caller drops the
 * work instead of retrying (upstream checks the NamespaceTerminating status cause).
 */
export function isNamespaceTerminating(e: unknown): boolean {
  return e instanceof ApiStatusError && e.code === 403 && /being terminated/.test(e.message);
}
