// The proxy's model of the cluster, built from Services and EndpointSlices (upstream
// pkg/proxy/serviceport.go, endpoint.go). Backends turn it into rules; nothing here touches
// the kernel.
import type { Logger } from 'pino';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type ProxyMode = 'iptables' | 'nftables' | 'ipvs';

/** One port of one Service: what upstream calls a ServicePort, keyed by its ServicePortName. */
export interface ServicePortInfo {
  /** "ns/svc:port", or "ns/svc" for an unnamed port (upstream ServicePortName.String()). */
  name: string;
  namespace: string;
  service: string;
  portName: string;
  protocol: Protocol;
  clusterIP: string;
  port: number;
  /** 0 when the Service has no NodePort. */
  nodePort: number;
  externalIPs: string[];
  loadBalancerIPs: string[];
  loadBalancerSourceRanges: string[];
  /** ClientIP affinity timeout in seconds; 0 = no affinity. */
  stickySeconds: number;
  /** externalTrafficPolicy: Local on an externally reachable Service. */
  externalPolicyLocal: boolean;
  /** internalTrafficPolicy: Local. */
  internalPolicyLocal: boolean;
  healthCheckNodePort: number;
}

/** One endpoint of one service port (upstream BaseEndpointInfo). */
export interface EndpointInfo {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** On this proxy's node. */
  isLocal: boolean;
  nodeName?: string;
}

/** ServicePortName → port info. */
export type ServicePortMap = Map<string, ServicePortInfo>;
/** ServicePortName → endpoints, sorted by "ip:port". */
export type EndpointsMap = Map<string, EndpointInfo[]>;

export const endpointString = (ep: Pick<EndpointInfo, 'ip' | 'port'>) => `${ep.ip}:${ep.port}`;

/** Node-level settings every backend needs. */
export interface ProxyConfig {
  nodeName: string;
  nodeIP: string;
  /** Pod network: traffic from outside it to a ClusterIP is masqueraded (upstream --cluster-cidr). */
  clusterCIDR: string;
  /** Service ClusterIP range (nftables drops traffic to unallocated ClusterIPs in it). */
  serviceCIDR: string;
}

/** What a sync hands a backend: the whole model, and which Services changed since the last success. */
export interface SyncInput {
  services: ServicePortMap;
  endpoints: EndpointsMap;
  /** "ns/name" of Services whose ports or endpoints changed; ignored on a full sync. */
  changedServices: Set<string>;
  full: boolean;
}

export interface SyncResult {
  /** Rule counts for /metrics, e.g. { 'iptables_nat': 40, 'iptables_filter': 3 }. */
  ruleCounts: Record<string, number>;
}

/** One proxy mode. sync() throws on failure; the runner then asks for a full sync next time. */
export interface ProxyBackend {
  readonly mode: ProxyMode;
  /** Kernel settings and anything that must exist before the first sync. */
  setup(): Promise<void>;
  sync(input: SyncInput): Promise<SyncResult>;
}

export type { Logger };
