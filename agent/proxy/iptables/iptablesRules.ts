// Pure rule generation for iptables mode (upstream pkg/proxy/iptables/proxier.go syncProxyRules):
// every chain and rule is written into line buffers, later applied in one
// `iptables-restore --noflush`. On a partial sync only the per-service chains of Services that
// changed are written; the top-level chains (KUBE-SERVICES, KUBE-NODEPORTS, ...) are always
// rewritten whole, and unchanged per-service chains stay in the kernel untouched.
import { categorizeEndpoints, externallyAccessible } from '../categorizeEndpoints.ts';
import { iptablesEndpointChain, iptablesServiceChain } from '../chainNames.ts';
import { cidrContains } from '../ip.ts';
import { endpointString, type EndpointInfo, type EndpointsMap, type ProxyConfig, type ServicePortInfo, type ServicePortMap } from '../types.ts';

// Mark bit 14, upstream's --iptables-masquerade-bit default.
export const MASQUERADE_MARK = '0x4000';

export const KUBE_SERVICES = 'KUBE-SERVICES';
export const KUBE_EXTERNAL_SERVICES = 'KUBE-EXTERNAL-SERVICES';
export const KUBE_NODEPORTS = 'KUBE-NODEPORTS';
export const KUBE_POSTROUTING = 'KUBE-POSTROUTING';
export const KUBE_MARK_MASQ = 'KUBE-MARK-MASQ';
export const KUBE_FORWARD = 'KUBE-FORWARD';
export const KUBE_PROXY_FIREWALL = 'KUBE-PROXY-FIREWALL';
export const KUBE_FIREWALL = 'KUBE-FIREWALL';

/** A jump from a built-in chain into ours; ensured with `iptables -C`/`-I`, not by restore. */
export interface JumpRule {
  table: 'filter' | 'nat';
  srcChain: string;
  args: string[];
}

const jump = (table: JumpRule['table'], dst: string, src: string, comment: string, extra: string[] = []): JumpRule => ({
  table,
  srcChain: src,
  args: [...extra, ...(comment ? ['-m', 'comment', '--comment', comment] : []), '-j', dst],
});
const NEW = ['-m', 'conntrack', '--ctstate', 'NEW'];

// upstream iptablesJumpChains + iptablesKubeletJumpChains
export const JUMP_RULES: JumpRule[] = [
  jump('filter', KUBE_EXTERNAL_SERVICES, 'INPUT', 'kubernetes externally-visible service portals', NEW),
  jump('filter', KUBE_EXTERNAL_SERVICES, 'FORWARD', 'kubernetes externally-visible service portals', NEW),
  jump('filter', KUBE_NODEPORTS, 'INPUT', 'kubernetes health check service ports'),
  jump('filter', KUBE_SERVICES, 'FORWARD', 'kubernetes service portals', NEW),
  jump('filter', KUBE_SERVICES, 'OUTPUT', 'kubernetes service portals', NEW),
  jump('filter', KUBE_FORWARD, 'FORWARD', 'kubernetes forwarding rules'),
  jump('filter', KUBE_PROXY_FIREWALL, 'INPUT', 'kubernetes load balancer firewall', NEW),
  jump('filter', KUBE_PROXY_FIREWALL, 'OUTPUT', 'kubernetes load balancer firewall', NEW),
  jump('filter', KUBE_PROXY_FIREWALL, 'FORWARD', 'kubernetes load balancer firewall', NEW),
  jump('nat', KUBE_SERVICES, 'OUTPUT', 'kubernetes service portals'),
  jump('nat', KUBE_SERVICES, 'PREROUTING', 'kubernetes service portals'),
  jump('nat', KUBE_POSTROUTING, 'POSTROUTING', 'kubernetes postrouting rules'),
  jump('filter', KUBE_FIREWALL, 'INPUT', ''),
  jump('filter', KUBE_FIREWALL, 'OUTPUT', ''),
];

export interface IptablesRuleSet {
  filterChains: string[];
  filterRules: string[];
  natChains: string[];
  natRules: string[];
  /** Every per-service nat chain that should exist after this sync (written now or kept). */
  activeNatChains: Set<string>;
  /** nat rules of Services left out of a partial sync, for the rule-count metric. */
  skippedNatRules: number;
}

export interface GenerateOptions {
  full: boolean;
  /** "ns/name" of Services whose chains are rewritten on a partial sync. */
  changedServices: Set<string>;
  /** NodePorts answer on 127.0.0.1 too (needs route_localnet, upstream's default for IPv4). */
  localhostNodePorts?: boolean;
}

/** Quote a comment the way iptables-save prints it: bare when it has no spaces. */
const comment = (text: string) => ['-m', 'comment', '--comment', /[\s"]/.test(text) ? `"${text}"` : text];

export function generateIptablesRules(services: ServicePortMap, endpoints: EndpointsMap, cfg: ProxyConfig, o: GenerateOptions): IptablesRuleSet {
  const localhostNodePorts = o.localhostNodePorts ?? true;
  const filterChains = [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL].map(chainLine);
  const filterRules: string[][] = [];
  const natChains = [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ].map(chainLine);
  const natRules: string[][] = [];
  const activeNatChains = new Set<string>();
  let skippedNatRules = 0;

  // Masquerade what was marked, once, and clear the mark so a packet that loops is not
  // masqueraded twice.
  natRules.push(['-A', KUBE_POSTROUTING, '-m', 'mark', '!', '--mark', `${MASQUERADE_MARK}/${MASQUERADE_MARK}`, '-j', 'RETURN']);
  natRules.push(['-A', KUBE_POSTROUTING, '-j', 'MARK', '--xor-mark', MASQUERADE_MARK]);
  natRules.push(['-A', KUBE_POSTROUTING, ...comment('kubernetes service traffic requiring SNAT'), '-j', 'MASQUERADE', '--random-fully']);
  natRules.push(['-A', KUBE_MARK_MASQ, '-j', 'MARK', '--or-mark', MASQUERADE_MARK]);

  if (localhostNodePorts) {
    // route_localnet opens 127.0.0.0/8 to other hosts (CVE-2020-8558); this drops such packets.
    filterChains.push(chainLine(KUBE_FIREWALL));
    filterRules.push(['-A', KUBE_FIREWALL, ...comment('block incoming localnet connections'), '-d', '127.0.0.0/8', '!', '-s', '127.0.0.0/8', '-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED,DNAT', '-j', 'DROP']);
  }

  const ifLocal = ['-s', cfg.clusterCIDR];
  const ifNotLocal = ['!', '-s', cfg.clusterCIDR];

  for (const name of [...services.keys()].sort()) {
    const svc = services.get(name)!;
    const protocol = svc.protocol.toLowerCase();
    const eps = endpoints.get(name) ?? [];
    const { clusterEndpoints, localEndpoints, allReachable, hasAnyEndpoints } = categorizeEndpoints(eps, svc);

    const clusterPolicyChain = iptablesServiceChain('KUBE-SVC-', svc);
    const localPolicyChain = iptablesServiceChain('KUBE-SVL-', svc);
    const externalChain = iptablesServiceChain('KUBE-EXT-', svc);
    const fwChain = iptablesServiceChain('KUBE-FW-', svc);
    const usesClusterPolicyChain = clusterEndpoints.length > 0 && (!svc.internalPolicyLocal || (externallyAccessible(svc) && !svc.externalPolicyLocal));
    const usesLocalPolicyChain = localEndpoints.length > 0 && (svc.internalPolicyLocal || svc.externalPolicyLocal);

    const internalChain = svc.internalPolicyLocal ? localPolicyChain : clusterPolicyChain;
    const hasInternalEndpoints = svc.internalPolicyLocal ? localEndpoints.length > 0 : hasAnyEndpoints;
    const externalPolicyChain = svc.externalPolicyLocal ? localPolicyChain : clusterPolicyChain;
    const hasExternalEndpoints = svc.externalPolicyLocal ? localEndpoints.length > 0 : hasAnyEndpoints;
    const usesExternalChain = hasAnyEndpoints && externallyAccessible(svc);
    const usesFwChain = hasAnyEndpoints && svc.loadBalancerIPs.length > 0 && svc.loadBalancerSourceRanges.length > 0;
    const lbChain = usesFwChain ? fwChain : externalChain;

    // No endpoints at all: REJECT, so clients fail fast instead of timing out. Endpoints only on
    // other nodes with a Local policy: DROP what was not short-circuited.
    const filterTarget = hasAnyEndpoints ? 'DROP' : 'REJECT';
    const filterComment = comment(hasAnyEndpoints ? `${name} has no local endpoints` : `${name} has no endpoints`);
    const dst = (ip: string) => ['-m', protocol, '-p', protocol, '-d', ip, '--dport', String(svc.port)];

    // Capture the ClusterIP.
    if (hasInternalEndpoints) natRules.push(['-A', KUBE_SERVICES, ...comment(`${name} cluster IP`), ...dst(svc.clusterIP), '-j', internalChain]);
    else filterRules.push(['-A', KUBE_SERVICES, ...filterComment, ...dst(svc.clusterIP), '-j', filterTarget]);

    // Capture external IPs and load balancer IPs.
    for (const [ips, label, target] of [[svc.externalIPs, 'external IP', externalChain], [svc.loadBalancerIPs, 'loadbalancer IP', lbChain]] as const) {
      for (const ip of ips) {
        if (hasAnyEndpoints) natRules.push(['-A', KUBE_SERVICES, ...comment(`${name} ${label}`), ...dst(ip), '-j', target]);
        if (usesFwChain && label === 'loadbalancer IP') {
          filterRules.push(['-A', KUBE_PROXY_FIREWALL, ...comment(`${name} traffic not accepted by ${fwChain}`), ...dst(ip), '-j', 'DROP']);
        }
        if (!hasExternalEndpoints) filterRules.push(['-A', KUBE_EXTERNAL_SERVICES, ...filterComment, ...dst(ip), '-j', filterTarget]);
      }
    }

    // Capture NodePorts.
    if (svc.nodePort > 0) {
      if (hasAnyEndpoints) {
        natRules.push(['-A', KUBE_NODEPORTS, ...comment(name), '-m', protocol, '-p', protocol, '--dport', String(svc.nodePort), '-j', externalChain]);
      }
      if (!hasExternalEndpoints) {
        filterRules.push(['-A', KUBE_EXTERNAL_SERVICES, ...filterComment, '-m', 'addrtype', '--dst-type', 'LOCAL', '-m', protocol, '-p', protocol, '--dport', String(svc.nodePort), '-j', filterTarget]);
      }
    }
    if (svc.healthCheckNodePort > 0) {
      filterRules.push(['-A', KUBE_NODEPORTS, ...comment(`${name} health check node port`), '-m', 'tcp', '-p', 'tcp', '--dport', String(svc.healthCheckNodePort), '-j', 'ACCEPT']);
    }

    // Per-service chains: written only when the Service changed (or on a full sync), but kept
    // active either way so they are not deleted as stale.
    const write = o.full || o.changedServices.has(`${svc.namespace}/${svc.service}`);
    const chains: string[] = [];
    const rules: string[][] = [];
    const addChain = (c: string) => {
      chains.push(chainLine(c));
      activeNatChains.add(c);
    };

    if (hasInternalEndpoints) {
      // Masquerade traffic to the ClusterIP from outside the pod network (it may leave the node).
      rules.push(['-A', internalChain, ...comment(`${name} cluster IP`), ...dst(svc.clusterIP), ...ifNotLocal, '-j', KUBE_MARK_MASQ]);
    }
    if (usesExternalChain) {
      addChain(externalChain);
      if (!svc.externalPolicyLocal) {
        rules.push(['-A', externalChain, ...comment(`masquerade traffic for ${name} external destinations`), '-j', KUBE_MARK_MASQ]);
      } else {
        // Pods and the node itself reach external destinations as if through the load balancer:
        // not subject to the Local policy.
        rules.push(['-A', externalChain, ...comment(`pod traffic for ${name} external destinations`), ...ifLocal, '-j', clusterPolicyChain]);
        rules.push(['-A', externalChain, ...comment(`masquerade LOCAL traffic for ${name} external destinations`), '-m', 'addrtype', '--src-type', 'LOCAL', '-j', KUBE_MARK_MASQ]);
        rules.push(['-A', externalChain, ...comment(`route LOCAL traffic for ${name} external destinations`), '-m', 'addrtype', '--src-type', 'LOCAL', '-j', clusterPolicyChain]);
      }
      if (hasExternalEndpoints) rules.push(['-A', externalChain, '-j', externalPolicyChain]);
    }
    if (usesFwChain) {
      addChain(fwChain);
      for (const range of svc.loadBalancerSourceRanges) {
        rules.push(['-A', fwChain, ...comment(`${name} loadbalancer IP`), '-s', range, '-j', externalChain]);
      }
      if (svc.loadBalancerSourceRanges.some((r) => cidrContains(r, cfg.nodeIP))) {
        for (const ip of svc.loadBalancerIPs) rules.push(['-A', fwChain, ...comment(`${name} loadbalancer IP`), '-s', ip, '-j', externalChain]);
      }
      rules.push(['-A', fwChain, ...comment(`other traffic to ${name} will be dropped by KUBE-PROXY-FIREWALL`)]);
    }
    if (usesClusterPolicyChain) {
      addChain(clusterPolicyChain);
      writeServiceToEndpointRules(rules, svc, clusterPolicyChain, clusterEndpoints);
    }
    if (usesLocalPolicyChain) {
      addChain(localPolicyChain);
      writeServiceToEndpointRules(rules, svc, localPolicyChain, localEndpoints);
    }
    for (const ep of allReachable) {
      const sep = iptablesEndpointChain(svc, ep);
      addChain(sep);
      // Hairpin: a pod reaching itself through its Service must be masqueraded, or it would
      // answer itself directly and the client would drop the reply.
      rules.push(['-A', sep, ...comment(name), '-s', ep.ip, '-j', KUBE_MARK_MASQ]);
      const affinity = svc.stickySeconds > 0 ? ['-m', 'recent', '--name', sep, '--set'] : [];
      rules.push(['-A', sep, ...comment(name), ...affinity, '-m', protocol, '-p', protocol, '-j', 'DNAT', '--to-destination', endpointString(ep)]);
    }

    if (write) {
      natChains.push(...chains);
      natRules.push(...rules);
    } else {
      skippedNatRules += rules.length;
    }
  }

  // NodePorts last: the tail of KUBE-SERVICES catches every local destination address,
  // 127.0.0.1 included unless localhost NodePorts are off.
  natRules.push(['-A', KUBE_SERVICES, ...comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain'), '-m', 'addrtype', '--dst-type', 'LOCAL', ...(localhostNodePorts ? [] : ['!', '-d', '127.0.0.0/8']), '-j', KUBE_NODEPORTS]);

  // Drop INVALID packets, which could otherwise reset connections (issue 74839).
  filterRules.push(['-A', KUBE_FORWARD, '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP']);
  // Forward what was marked for masquerade even when the FORWARD policy is DROP.
  filterRules.push(['-A', KUBE_FORWARD, ...comment('kubernetes forwarding rules'), '-m', 'mark', '--mark', `${MASQUERADE_MARK}/${MASQUERADE_MARK}`, '-j', 'ACCEPT']);
  filterRules.push(['-A', KUBE_FORWARD, ...comment('kubernetes forwarding conntrack rule'), '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']);

  return {
    filterChains,
    filterRules: filterRules.map((r) => r.join(' ')),
    natChains,
    natRules: natRules.map((r) => r.join(' ')),
    activeNatChains,
    skippedNatRules,
  };
}

/** Affinity checks first, then one rule per endpoint with probability 1/(n-i) (upstream writeServiceToEndpointRules). */
function writeServiceToEndpointRules(rules: string[][], svc: ServicePortInfo, chain: string, eps: EndpointInfo[]): void {
  if (svc.stickySeconds > 0) {
    for (const ep of eps) {
      const sep = iptablesEndpointChain(svc, ep);
      rules.push(['-A', chain, ...comment(`${svc.name} -> ${endpointString(ep)}`), '-m', 'recent', '--name', sep, '--rcheck', '--seconds', String(svc.stickySeconds), '--reap', '-j', sep]);
    }
  }
  eps.forEach((ep, i) => {
    const probability = i < eps.length - 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', (1 / (eps.length - i)).toFixed(10)] : [];
    rules.push(['-A', chain, ...comment(`${svc.name} -> ${endpointString(ep)}`), ...probability, '-j', iptablesEndpointChain(svc, ep)]);
  });
}

export function chainLine(chain: string): string {
  return `:${chain} - [0:0]`;
}

/** The iptables-restore input; `deleteChains` are flushed (by declaring them) and removed with -X. */
export function renderRestoreInput(rs: IptablesRuleSet, deleteChains: string[] = []): string {
  const natChains = [...rs.natChains, ...deleteChains.map(chainLine)];
  const natRules = [...rs.natRules, ...deleteChains.map((c) => `-X ${c}`)];
  return ['*filter', ...rs.filterChains, ...rs.filterRules, 'COMMIT', '*nat', ...natChains, ...natRules, 'COMMIT', ''].join('\n');
}
