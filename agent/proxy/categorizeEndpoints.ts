// Which endpoints a service port uses, for Cluster and Local traffic policy (upstream
// pkg/proxy/topology.go CategorizeEndpoints, without topology hints): ready endpoints only;
// serving-and-terminating ones only when no ready one exists, so connections keep working
// during a rolling update of the last pods.
import type { EndpointInfo, ServicePortInfo } from './types.ts';

export interface CategorizedEndpoints {
  clusterEndpoints: EndpointInfo[];
  localEndpoints: EndpointInfo[];
  /** Union of the two: every endpoint some rule of this node may send to. */
  allReachable: EndpointInfo[];
  /** The Service has usable endpoints somewhere in the cluster. */
  hasAnyEndpoints: boolean;
}

/** Externally reachable: a NodePort, an external IP or a load balancer IP. */
export function externallyAccessible(svc: ServicePortInfo): boolean {
  return svc.nodePort > 0 || svc.externalIPs.length > 0 || svc.loadBalancerIPs.length > 0;
}

export function usesClusterEndpoints(svc: ServicePortInfo): boolean {
  return !svc.internalPolicyLocal || (externallyAccessible(svc) && !svc.externalPolicyLocal);
}

export function usesLocalEndpoints(svc: ServicePortInfo): boolean {
  return svc.internalPolicyLocal || (externallyAccessible(svc) && svc.externalPolicyLocal);
}

function pick(eps: EndpointInfo[], keep: (ep: EndpointInfo) => boolean): EndpointInfo[] {
  const ready = eps.filter((ep) => ep.ready && keep(ep));
  if (ready.length > 0) return ready;
  return eps.filter((ep) => ep.serving && ep.terminating && keep(ep));
}

export function categorizeEndpoints(eps: EndpointInfo[], svc: ServicePortInfo): CategorizedEndpoints {
  const clusterEndpoints = usesClusterEndpoints(svc) ? pick(eps, () => true) : [];
  const localEndpoints = usesLocalEndpoints(svc) ? pick(eps, (ep) => ep.isLocal) : [];
  const hasAnyEndpoints = eps.some((ep) => ep.ready || (ep.serving && ep.terminating));
  const seen = new Set<EndpointInfo>();
  const allReachable: EndpointInfo[] = [];
  for (const ep of [...clusterEndpoints, ...localEndpoints]) {
    if (!seen.has(ep)) {
      seen.add(ep);
      allReachable.push(ep);
    }
  }
  allReachable.sort((a, b) => (`${a.ip}:${a.port}` < `${b.ip}:${b.port}` ? -1 : 1));
  return { clusterEndpoints, localEndpoints, allReachable, hasAnyEndpoints };
}
