// Services → one ServicePortInfo per port (upstream pkg/proxy/servicechangetracker.go and
// serviceport.go newBaseServiceInfo). Services the proxy does not handle (headless, ExternalName,
// no IPv4 ClusterIP) are left out; a broken one is skipped with a log line so it never fails the
// sync for everyone else.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Logger, Protocol, ServicePortInfo, ServicePortMap } from './types.ts';
import { isIPv4, parseCIDR } from './ip.ts';

// Default ClientIP affinity timeout: 3 hours (core/v1 DefaultClientIPServiceAffinitySeconds).
export const DEFAULT_STICKY_SECONDS = 10800;

const PROTOCOLS: ReadonlySet<string> = new Set(['TCP', 'UDP', 'SCTP']);

/** "ns/svc:port", or "ns/svc" when the port has no name (upstream ServicePortName.String()). */
export function servicePortName(namespace: string, service: string, portName: string): string {
  return `${namespace}/${service}${portName ? `:${portName}` : ''}`;
}

export function buildServiceMap(services: Service[], log: Logger): ServicePortMap {
  const out: ServicePortMap = new Map();
  for (const svc of services) for (const info of servicePortsOf(svc, log)) out.set(info.name, info);
  return out;
}

/** The ports of one Service the proxy handles; [] for a Service it skips. */
export function servicePortsOf(svc: Service, log: Logger): ServicePortInfo[] {
  const ns = svc.metadata?.namespace ?? 'default';
  const name = svc.metadata?.name ?? '';
  const spec = svc.spec ?? {};
  const clusterIP = spec.clusterIP ?? '';
  // Headless and ExternalName Services have no virtual IP to proxy (upstream ShouldSkipService).
  if (!clusterIP || clusterIP === 'None' || spec.type === 'ExternalName') return [];
  if (!isIPv4(clusterIP)) {
    log.warn({ service: `${ns}/${name}`, clusterIP }, 'skipping Service: ClusterIP is not an IPv4 address');
    return [];
  }
  const ports = spec.ports ?? [];
  const err = checkPorts(ports);
  if (err) {
    log.warn({ service: `${ns}/${name}` }, `skipping Service: ${err}`);
    return [];
  }
  const externallyAccessible = (p: { nodePort?: number }) =>
    (p.nodePort ?? 0) > 0 || (spec.externalIPs ?? []).length > 0 || (svc.status?.loadBalancer?.ingress ?? []).length > 0;
  return ports.map((p): ServicePortInfo => ({
    name: servicePortName(ns, name, p.name ?? ''),
    namespace: ns,
    service: name,
    portName: p.name ?? '',
    protocol: (p.protocol ?? 'TCP') as Protocol,
    clusterIP,
    port: p.port,
    nodePort: p.nodePort ?? 0,
    externalIPs: (spec.externalIPs ?? []).filter((ip) => validIP(ip, log, `${ns}/${name}`, 'externalIP')),
    loadBalancerIPs: (svc.status?.loadBalancer?.ingress ?? [])
      .map((i) => i.ip ?? '')
      .filter((ip) => ip && validIP(ip, log, `${ns}/${name}`, 'load balancer IP')),
    // Upstream trims whitespace and ignores unparsable ranges (serviceport.go).
    loadBalancerSourceRanges: (spec.loadBalancerSourceRanges ?? []).map((r) => r.trim()).filter((r) => parseCIDR(r) !== undefined),
    stickySeconds:
      spec.sessionAffinity === 'ClientIP' ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_STICKY_SECONDS : 0,
    externalPolicyLocal: externallyAccessible(p) && spec.externalTrafficPolicy === 'Local',
    internalPolicyLocal: spec.internalTrafficPolicy === 'Local',
    healthCheckNodePort: spec.externalTrafficPolicy === 'Local' ? spec.healthCheckNodePort ?? 0 : 0,
  }));
}

function checkPorts(ports: NonNullable<Service['spec']>['ports'] & object): string | undefined {
  const names = new Set<string>();
  for (const p of ports) {
    const n = p.name ?? '';
    if (names.has(n)) return `port name ${JSON.stringify(n)} is used twice`;
    names.add(n);
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) return `port ${JSON.stringify(p.port)} is out of range`;
    if (p.protocol && !PROTOCOLS.has(p.protocol)) return `protocol ${JSON.stringify(p.protocol)} is not TCP, UDP or SCTP`;
    if (p.nodePort !== undefined && (!Number.isInteger(p.nodePort) || p.nodePort < 0 || p.nodePort > 65535)) return `nodePort ${p.nodePort} is out of range`;
  }
  return undefined;
}

function validIP(ip: string, log: Logger, svc: string, what: string): boolean {
  if (isIPv4(ip)) return true;
  log.warn({ service: svc, ip }, `ignoring ${what}: not an IPv4 address`);
  return false;
}
