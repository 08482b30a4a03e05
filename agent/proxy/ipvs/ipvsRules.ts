// Pure generation for IPVS mode (upstream pkg/proxy/ipvs/proxier.go): every ClusterIP, external
// IP and NodePort becomes an IPVS virtual server (`ipvsadm-restore` input) whose real servers are
// the endpoints; ClusterIPs are bound to the dummy interface kube-ipvs0 so the node accepts them;
// masquerading is done by iptables with ipset matches (KUBE-CLUSTER-IP, KUBE-LOOP-BACK, ...).
import { categorizeEndpoints } from '../categorizeEndpoints.ts';
import type { EndpointsMap, ProxyConfig, ServicePortMap } from '../types.ts';
import { MASQUERADE_MARK } from '../iptables/iptablesRules.ts';

export const IPVS_DUMMY_INTERFACE = 'kube-ipvs0';
// upstream --ipvs-scheduler default
export const DEFAULT_IPVS_SCHEDULER = 'rr';

export interface IpvsRuleSet {
  /** Input for `ipvsadm-restore` (after `ipvsadm -C`). */
  ipvsadm: string;
  /** /32 addresses kube-ipvs0 must hold. */
  addresses: string[];
  /** Input for `ipset restore -exist`. */
  ipset: string;
  /** Input for `iptables-restore --noflush`. */
  iptables: string;
  virtualServers: number;
}

const flag = (proto: string) => (proto === 'UDP' ? '-u' : proto === 'SCTP' ? '--sctp-service' : '-t');

export function generateIpvsRules(services: ServicePortMap, endpoints: EndpointsMap, cfg: ProxyConfig, scheduler = DEFAULT_IPVS_SCHEDULER): IpvsRuleSet {
  const ipvs: string[] = [];
  const addresses = new Set<string>();
  const clusterIPSet: string[] = [];
  const loopBackSet: string[] = [];
  const nodePortSets: Record<string, string[]> = { TCP: [], UDP: [] };
  let virtualServers = 0;

  for (const name of [...services.keys()].sort()) {
    const svc = services.get(name)!;
    const proto = svc.protocol.toLowerCase();
    const { clusterEndpoints, localEndpoints } = categorizeEndpoints(endpoints.get(name) ?? [], svc);
    const persistence = svc.stickySeconds > 0 ? ` -p ${svc.stickySeconds}` : '';
    const virtual = (addr: string, eps: typeof clusterEndpoints) => {
      ipvs.push(`-A ${flag(svc.protocol)} ${addr} -s ${scheduler}${persistence}`);
      for (const ep of eps) ipvs.push(`-a ${flag(svc.protocol)} ${addr} -r ${ep.ip}:${ep.port} -m -w 1`);
      virtualServers++;
    };
    addresses.add(svc.clusterIP);
    clusterIPSet.push(`add KUBE-CLUSTER-IP ${svc.clusterIP},${proto}:${svc.port}`);
    virtual(`${svc.clusterIP}:${svc.port}`, svc.internalPolicyLocal ? localEndpoints : clusterEndpoints);
    for (const ip of svc.externalIPs) {
      addresses.add(ip);
      virtual(`${ip}:${svc.port}`, svc.externalPolicyLocal ? localEndpoints : clusterEndpoints);
    }
    if (svc.nodePort > 0) {
      virtual(`${cfg.nodeIP}:${svc.nodePort}`, svc.externalPolicyLocal ? localEndpoints : clusterEndpoints);
      nodePortSets[svc.protocol]?.push(`add KUBE-NODE-PORT-${svc.protocol} ${svc.nodePort}`);
    }
    // Hairpin: an endpoint reaching itself through the Service must be masqueraded.
    for (const ep of clusterEndpoints) loopBackSet.push(`add KUBE-LOOP-BACK ${ep.ip},${proto}:${ep.port},${ep.ip}`);
  }

  const ipset = [
    'create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536 comment',
    'create KUBE-LOOP-BACK hash:ip,port,ip family inet hashsize 1024 maxelem 65536',
    'create KUBE-NODE-PORT-TCP bitmap:port range 0-65535',
    'create KUBE-NODE-PORT-UDP bitmap:port range 0-65535',
    'flush KUBE-CLUSTER-IP', 'flush KUBE-LOOP-BACK', 'flush KUBE-NODE-PORT-TCP', 'flush KUBE-NODE-PORT-UDP',
    ...clusterIPSet, ...loopBackSet, ...nodePortSets.TCP!, ...nodePortSets.UDP!,
  ];
  const c = (t: string) => `-m comment --comment "${t}"`;
  const iptables = [
    '*nat',
    ':KUBE-SERVICES - [0:0]', ':KUBE-POSTROUTING - [0:0]', ':KUBE-MARK-MASQ - [0:0]', ':KUBE-NODE-PORT - [0:0]',
    `-A KUBE-POSTROUTING ${c('Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose')} -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE`,
    `-A KUBE-POSTROUTING -m mark ! --mark ${MASQUERADE_MARK}/${MASQUERADE_MARK} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQUERADE_MARK}`,
    `-A KUBE-POSTROUTING ${c('kubernetes service traffic requiring SNAT')} -j MASQUERADE --random-fully`,
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQUERADE_MARK}`,
    `-A KUBE-SERVICES ${c('Kubernetes service cluster ip + port for masquerade purpose')} -m set --match-set KUBE-CLUSTER-IP dst,dst ! -s ${cfg.clusterCIDR} -j KUBE-MARK-MASQ`,
    `-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT`,
    `-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT`,
    `-A KUBE-NODE-PORT -p tcp ${c('Kubernetes nodeport TCP port for masquerade purpose')} -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ`,
    `-A KUBE-NODE-PORT -p udp ${c('Kubernetes nodeport UDP port for masquerade purpose')} -m set --match-set KUBE-NODE-PORT-UDP dst -j KUBE-MARK-MASQ`,
    'COMMIT',
  ];
  return {
    ipvsadm: ipvs.join('\n') + '\n',
    addresses: [...addresses].sort(),
    ipset: ipset.join('\n') + '\n',
    iptables: iptables.join('\n') + '\n',
    virtualServers,
  };
}
