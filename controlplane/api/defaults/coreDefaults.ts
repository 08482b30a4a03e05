// Defaults for the core kinds other than Pod (pkg/apis/core/v1/defaults.go and the conversions
// that shape stored objects): Service, Namespace, PersistentVolume(Claim), Secret, Node,
// Endpoints, and discovery/v1 EndpointSlice.

import { ensureObject, isObject, isUnset, type Json, objectAt, objectsAt, setDefault, setDefaultString } from './fields.ts';

// v1.DefaultClientIPServiceAffinitySeconds: three hours.
const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;

/** Is the address IPv6? (Enough to pick a family for an address that validation checks later.) */
function familyOf(ip: string): 'IPv4' | 'IPv6' {
  return ip.includes(':') ? 'IPv6' : 'IPv4';
}

/** SetDefaults_Service, plus the IP-family fields the registry fills on a single-stack IPv4 cluster. */
export function defaultService(obj: Json): void {
  const spec = ensureObject(obj, 'spec');
  if (!spec) return;
  setDefaultString(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && (isUnset(spec.sessionAffinityConfig) || isObject(spec.sessionAffinityConfig))) {
    const clientIP = objectAt(spec.sessionAffinityConfig, 'clientIP');
    if (isUnset(clientIP?.timeoutSeconds)) {
      spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_AFFINITY_SECONDS } };
    }
  }
  setDefaultString(spec, 'type', 'ClusterIP');
  for (const port of objectsAt(spec, 'ports')) {
    setDefaultString(port, 'protocol', 'TCP');
    // targetPort 0 or "" means "the same as port".
    if (isUnset(port.targetPort) || port.targetPort === 0 || port.targetPort === '') port.targetPort = port.port;
  }
  const externalIPs = Array.isArray(spec.externalIPs) ? spec.externalIPs : [];
  const externallyAccessible = spec.type === 'NodePort' || spec.type === 'LoadBalancer' || (spec.type === 'ClusterIP' && externalIPs.length > 0);
  if (externallyAccessible) setDefaultString(spec, 'externalTrafficPolicy', 'Cluster');
  if (spec.type === 'ClusterIP' || spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
    setDefault(spec, 'internalTrafficPolicy', 'Cluster');
    defaultServiceIPFamilies(spec);
  }
  if (spec.type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
}

/**
 * clusterIP and clusterIPs mirror each other (the registry's normalizeClusterIPs), and the IP
 * family fields are filled as the registry fills them on a single-stack IPv4 cluster. A headless
 * Service without a selector is RequireDualStack: its endpoints may come in any family.
 */
function defaultServiceIPFamilies(spec: Json): void {
  const clusterIP = typeof spec.clusterIP === 'string' ? spec.clusterIP : '';
  const clusterIPs = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : undefined;
  if (clusterIP && (!clusterIPs || clusterIPs.length === 0)) spec.clusterIPs = [clusterIP];
  else if (!clusterIP && clusterIPs && typeof clusterIPs[0] === 'string') spec.clusterIP = clusterIPs[0];
  const headless = spec.clusterIP === 'None';
  const selector = objectAt(spec, 'selector');
  const hasSelector = selector !== undefined && Object.keys(selector).length > 0;
  setDefaultString(spec, 'ipFamilyPolicy', headless && !hasSelector ? 'RequireDualStack' : 'SingleStack');
  if (isUnset(spec.ipFamilies) || (Array.isArray(spec.ipFamilies) && spec.ipFamilies.length === 0)) {
    const ips = Array.isArray(spec.clusterIPs) ? spec.clusterIPs.filter((x): x is string => typeof x === 'string' && x !== 'None') : [];
    spec.ipFamilies = ips.length > 0 ? ips.map(familyOf) : ['IPv4'];
  }
}

/** SetDefaults_Namespace and SetDefaults_NamespaceStatus. */
export function defaultNamespace(obj: Json): void {
  const meta = ensureObject(obj, 'metadata');
  // The name label lets selectors pick namespaces by name; upstream always overwrites it.
  if (meta && typeof meta.name === 'string' && meta.name) {
    const labels = ensureObject(meta, 'labels');
    if (labels) labels['kubernetes.io/metadata.name'] = meta.name;
  }
  const status = ensureObject(obj, 'status');
  if (status) setDefaultString(status, 'phase', 'Active');
}

export function defaultPersistentVolume(obj: Json): void {
  const spec = ensureObject(obj, 'spec');
  if (spec) {
    setDefaultString(spec, 'persistentVolumeReclaimPolicy', 'Retain');
    setDefault(spec, 'volumeMode', 'Filesystem');
    const hostPath = objectAt(spec, 'hostPath');
    if (hostPath) setDefault(hostPath, 'type', '');
  }
  const status = ensureObject(obj, 'status');
  if (status) setDefaultString(status, 'phase', 'Pending');
}

/** SetDefaults_PersistentVolumeClaim(+Spec); also used for StatefulSet volumeClaimTemplates. */
export function defaultClaim(obj: Json): void {
  const spec = ensureObject(obj, 'spec');
  if (spec) setDefault(spec, 'volumeMode', 'Filesystem');
  const status = ensureObject(obj, 'status');
  if (status) setDefaultString(status, 'phase', 'Pending');
}

/**
 * Secrets: type Opaque, and stringData folded into data as base64 (upstream does this when
 * converting v1 to its internal form, so stringData is never stored).
 */
export function defaultSecret(obj: Json): void {
  setDefaultString(obj, 'type', 'Opaque');
  if (isObject(obj.stringData)) {
    const data = ensureObject(obj, 'data');
    if (!data) return;
    for (const [k, v] of Object.entries(obj.stringData)) {
      if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
    }
    delete obj.stringData;
  }
}

/** SetDefaults_NodeStatus (allocatable = capacity) and the podCIDR/podCIDRs pairing. */
export function defaultNode(obj: Json): void {
  const spec = objectAt(obj, 'spec');
  if (spec) {
    const cidrs = Array.isArray(spec.podCIDRs) ? spec.podCIDRs : undefined;
    if (typeof spec.podCIDR === 'string' && spec.podCIDR && (!cidrs || cidrs.length === 0)) spec.podCIDRs = [spec.podCIDR];
    else if (isUnset(spec.podCIDR) && cidrs && typeof cidrs[0] === 'string') spec.podCIDR = cidrs[0];
  }
  const status = objectAt(obj, 'status');
  if (status && isObject(status.capacity) && isUnset(status.allocatable)) status.allocatable = { ...status.capacity };
}

export function defaultEndpoints(obj: Json): void {
  for (const subset of objectsAt(obj, 'subsets')) {
    for (const port of objectsAt(subset, 'ports')) setDefaultString(port, 'protocol', 'TCP');
  }
}

export function defaultEndpointSlice(obj: Json): void {
  for (const port of objectsAt(obj, 'ports')) {
    setDefault(port, 'name', '');
    setDefault(port, 'protocol', 'TCP');
  }
}
