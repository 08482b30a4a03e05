// Pure rule generation for iptables mode (upstream pkg/proxy/iptables/proxier.go syncProxyRules):
// every chain and rule is written into line buffers, later applied in one
// `iptables-restore --noflush`. On a partial sync only the per-service chains of Services that
// changed are written; the top-level chains (KUBE-SERVICES, KUBE-NODEPORTS, ...) are always
// rewritten whole, and unchanged per-service chains stay in the kernel untouched.
import { categorizeEndpoints, externallyAccessible } from '../categorizeEndpoints.ts';
import { iptablesEndpointChain, iptablesServiceHash } from '../chainNames.ts';
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

// upstream largeClusterEndpointsThreshold: above this many endpoints, the rules of endpoint
// chains carry no comments (the restore input shrinks by ~40 %).
export const LARGE_CLUSTER_ENDPOINTS_THRESHOLD = 1000;

export interface IptablesRuleSet {
  filterChains: string[];
  /** The filter table holds only top-level chains: all of it is written, or none. */
  filterRules: string[];
  /** Every nat chain line and rule of this sync, top-level chains included (upstream's layout). */
  natChains: string[];
  natRules: string[];
  /** Only the top-level nat chains' rules (KUBE-SERVICES, KUBE-NODEPORTS, ...), to see whether they changed. */
  natTopRules: string[];
  /** Only the per-service part of natChains / natRules. */
  natServiceChains: string[];
  natServiceRules: string[];
  /** Every per-service nat chain that exists after this sync (written now or kept). */
  activeNatChains: Set<string>;
  /** nat rules of Services left out of a partial sync, for the rule-count metric. */
  skippedNatRules: number;
}

export interface RuleOptions {
  /** NodePorts answer on 127.0.0.1 too (needs route_localnet, upstream's default for IPv4). */
  localhostNodePorts?: boolean;
  /** No comments on endpoint rules (upstream largeClusterMode). */
  largeClusterMode?: boolean;
}

export interface GenerateOptions extends RuleOptions {
  full: boolean;
  /** "ns/name" of Services whose chains are rewritten on a partial sync. */
  changedServices: Set<string>;
}

/**
 * Everything one service port contributes. The lines in the top-level chains are always written;
 * the per-service chains (KUBE-SVC/SVL/EXT/FW/SEP) only when the Service changed.
 */
export interface ServicePortRules {
  /** "ns/name" of the Service. */
  owner: string;
  /** Lines in the filter table's top-level chains (KUBE-SERVICES, KUBE-EXTERNAL-SERVICES, ...). */
  filterRules: string[];
  /** Lines in nat KUBE-SERVICES and KUBE-NODEPORTS. */
  natTopRules: string[];
  /** Per-service nat chains, in declaration order. */
  chains: string[];
  /** Their rules. */
  chainRules: string[];
}

/** Quote a comment the way iptables-save prints it: bare when it has no spaces. */
const comment = (text: string) => ['-m', 'comment', '--comment', /[\s"]/.test(text) ? `"${text}"` : text];

/** upstream: endpoint-count check done once per sync, before any rule is written. */
export function isLargeCluster(services: ServicePortMap, endpoints: EndpointsMap): boolean {
  let total = 0;
  for (const name of services.keys()) total += endpoints.get(name)?.length ?? 0;
  return total > LARGE_CLUSTER_ENDPOINTS_THRESHOLD;
}

/** The fixed head of the top-level chains and the rules every sync writes (upstream order). */
function fixedRules(o: RuleOptions) {
  const localhostNodePorts = o.localhostNodePorts ?? true;
  const filterChains = [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL].map(chainLine);
  const natChains = [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ].map(chainLine);
  const filterHead: string[][] = [];
  // Masquerade what was marked, once, and clear the mark so a packet that loops is not
  // masqueraded twice.
  const natHead: string[][] = [
    ['-A', KUBE_POSTROUTING, '-m', 'mark', '!', '--mark', `${MASQUERADE_MARK}/${MASQUERADE_MARK}`, '-j', 'RETURN'],
    ['-A', KUBE_POSTROUTING, '-j', 'MARK', '--xor-mark', MASQUERADE_MARK],
    ['-A', KUBE_POSTROUTING, ...comment('kubernetes service traffic requiring SNAT'), '-j', 'MASQUERADE', '--random-fully'],
    ['-A', KUBE_MARK_MASQ, '-j', 'MARK', '--or-mark', MASQUERADE_MARK],
  ];
  if (localhostNodePorts) {
    // route_localnet opens 127.0.0.0/8 to other hosts (CVE-2020-8558); this drops such packets.
    filterChains.push(chainLine(KUBE_FIREWALL));
    filterHead.push(['-A', KUBE_FIREWALL, ...comment('block incoming localnet connections'), '-d', '127.0.0.0/8', '!', '-s', '127.0.0.0/8', '-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED,DNAT', '-j', 'DROP']);
  }
  // NodePorts last: the tail of KUBE-SERVICES catches every local destination address,
  // 127.0.0.1 included unless localhost NodePorts are off.
  const natTail = [['-A', KUBE_SERVICES, ...comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain'), '-m', 'addrtype', '--dst-type', 'LOCAL', ...(localhostNodePorts ? [] : ['!', '-d', '127.0.0.0/8']), '-j', KUBE_NODEPORTS]];
  const filterTail = [
    // Drop INVALID packets, which could otherwise reset connections (issue 74839).
    ['-A', KUBE_FORWARD, '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP'],
    // Forward what was marked for masquerade even when the FORWARD policy is DROP.
    ['-A', KUBE_FORWARD, ...comment('kubernetes forwarding rules'), '-m', 'mark', '--mark', `${MASQUERADE_MARK}/${MASQUERADE_MARK}`, '-j', 'ACCEPT'],
    ['-A', KUBE_FORWARD, ...comment('kubernetes forwarding conntrack rule'), '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
  ];
  const j = (rs: string[][]) => rs.map((r) => r.join(' '));
  return { filterChains, natChains, filterHead: j(filterHead), natHead: j(natHead), natTail: j(natTail), filterTail: j(filterTail) };
}

/** The rules of one service port (the body of upstream syncProxyRules' per-service loop). */
export function servicePortRules(svc: ServicePortInfo, eps: EndpointInfo[], cfg: ProxyConfig, o: RuleOptions = {}): ServicePortRules {
  const name = svc.name;
  const protocol = svc.protocol.toLowerCase();
  const { clusterEndpoints, localEndpoints, allReachable, hasAnyEndpoints } = categorizeEndpoints(eps, svc);
  const filterRules: string[][] = [];
  const natTopRules: string[][] = [];
  const chains: string[] = [];
  const rules: string[][] = [];

  const hash = iptablesServiceHash(svc);
  const clusterPolicyChain = `KUBE-SVC-${hash}`;
  const localPolicyChain = `KUBE-SVL-${hash}`;
  const externalChain = `KUBE-EXT-${hash}`;
  const fwChain = `KUBE-FW-${hash}`;
  const usesClusterPolicyChain = clusterEndpoints.length > 0 && (!svc.internalPolicyLocal || (externallyAccessible(svc) && !svc.externalPolicyLocal));
  const usesLocalPolicyChain = localEndpoints.length > 0 && (svc.internalPolicyLocal || svc.externalPolicyLocal);

  const internalChain = svc.internalPolicyLocal ? localPolicyChain : clusterPolicyChain;
  const hasInternalEndpoints = svc.internalPolicyLocal ? localEndpoints.length > 0 : hasAnyEndpoints;
  const externalPolicyChain = svc.externalPolicyLocal ? localPolicyChain : clusterPolicyChain;
  const hasExternalEndpoints = svc.externalPolicyLocal ? localEndpoints.length > 0 : hasAnyEndpoints;
  const usesExternalChain = hasAnyEndpoints && externallyAccessible(svc);
  const usesFwChain = hasAnyEndpoints && svc.loadBalancerIPs.length > 0 && svc.loadBalancerSourceRanges.length > 0;
  const lbChain = usesFwChain ? fwChain : externalChain;
  const ifLocal = ['-s', cfg.clusterCIDR];
  const ifNotLocal = ['!', '-s', cfg.clusterCIDR];

  // No endpoints at all: REJECT, so clients fail fast instead of timing out. Endpoints only on
  // other nodes with a Local policy: DROP what was not short-circuited.
  const filterTarget = hasAnyEndpoints ? 'DROP' : 'REJECT';
  const filterComment = comment(hasAnyEndpoints ? `${name} has no local endpoints` : `${name} has no endpoints`);
  const dst = (ip: string) => ['-m', protocol, '-p', protocol, '-d', ip, '--dport', String(svc.port)];

  // Capture the ClusterIP.
  if (hasInternalEndpoints) natTopRules.push(['-A', KUBE_SERVICES, ...comment(`${name} cluster IP`), ...dst(svc.clusterIP), '-j', internalChain]);
  else filterRules.push(['-A', KUBE_SERVICES, ...filterComment, ...dst(svc.clusterIP), '-j', filterTarget]);

  // Capture external IPs and load balancer IPs.
  for (const [ips, label, target] of [[svc.externalIPs, 'external IP', externalChain], [svc.loadBalancerIPs, 'loadbalancer IP', lbChain]] as const) {
    for (const ip of ips) {
      if (hasAnyEndpoints) natTopRules.push(['-A', KUBE_SERVICES, ...comment(`${name} ${label}`), ...dst(ip), '-j', target]);
      if (usesFwChain && label === 'loadbalancer IP') {
        filterRules.push(['-A', KUBE_PROXY_FIREWALL, ...comment(`${name} traffic not accepted by ${fwChain}`), ...dst(ip), '-j', 'DROP']);
      }
      if (!hasExternalEndpoints) filterRules.push(['-A', KUBE_EXTERNAL_SERVICES, ...filterComment, ...dst(ip), '-j', filterTarget]);
    }
  }

  // Capture NodePorts.
  if (svc.nodePort > 0) {
    if (hasAnyEndpoints) {
      natTopRules.push(['-A', KUBE_NODEPORTS, ...comment(name), '-m', protocol, '-p', protocol, '--dport', String(svc.nodePort), '-j', externalChain]);
    }
    if (!hasExternalEndpoints) {
      filterRules.push(['-A', KUBE_EXTERNAL_SERVICES, ...filterComment, '-m', 'addrtype', '--dst-type', 'LOCAL', '-m', protocol, '-p', protocol, '--dport', String(svc.nodePort), '-j', filterTarget]);
    }
  }
  if (svc.healthCheckNodePort > 0) {
    filterRules.push(['-A', KUBE_NODEPORTS, ...comment(`${name} health check node port`), '-m', 'tcp', '-p', 'tcp', '--dport', String(svc.healthCheckNodePort), '-j', 'ACCEPT']);
  }

  if (hasInternalEndpoints) {
    // Masquerade traffic to the ClusterIP from outside the pod network (it may leave the node).
    rules.push(['-A', internalChain, ...comment(`${name} cluster IP`), ...dst(svc.clusterIP), ...ifNotLocal, '-j', KUBE_MARK_MASQ]);
  }
  if (usesExternalChain) {
    chains.push(externalChain);
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
    chains.push(fwChain);
    for (const range of svc.loadBalancerSourceRanges) {
      rules.push(['-A', fwChain, ...comment(`${name} loadbalancer IP`), '-s', range, '-j', externalChain]);
    }
    if (svc.loadBalancerSourceRanges.some((r) => cidrContains(r, cfg.nodeIP))) {
      for (const ip of svc.loadBalancerIPs) rules.push(['-A', fwChain, ...comment(`${name} loadbalancer IP`), '-s', ip, '-j', externalChain]);
    }
    rules.push(['-A', fwChain, ...comment(`other traffic to ${name} will be dropped by KUBE-PROXY-FIREWALL`)]);
  }
  // Endpoint chain names are computed once per endpoint (upstream caches them in endpointInfo).
  const sepOf = new Map(allReachable.map((ep) => [ep, iptablesEndpointChain(svc, ep)]));
  const sep = (ep: EndpointInfo) => sepOf.get(ep) ?? iptablesEndpointChain(svc, ep);
  const large = o.largeClusterMode ?? false;
  if (usesClusterPolicyChain) {
    chains.push(clusterPolicyChain);
    writeServiceToEndpointRules(rules, svc, clusterPolicyChain, clusterEndpoints, sep, large);
  }
  if (usesLocalPolicyChain) {
    chains.push(localPolicyChain);
    writeServiceToEndpointRules(rules, svc, localPolicyChain, localEndpoints, sep, large);
  }
  const sepComment = large ? [] : comment(name);
  for (const ep of allReachable) {
    const chain = sep(ep);
    chains.push(chain);
    // Hairpin: a pod reaching itself through its Service must be masqueraded, or it would
    // answer itself directly and the client would drop the reply.
    rules.push(['-A', chain, ...sepComment, '-s', ep.ip, '-j', KUBE_MARK_MASQ]);
    const affinity = svc.stickySeconds > 0 ? ['-m', 'recent', '--name', chain, '--set'] : [];
    rules.push(['-A', chain, ...sepComment, ...affinity, '-m', protocol, '-p', protocol, '-j', 'DNAT', '--to-destination', endpointString(ep)]);
  }
  const j = (rs: string[][]) => rs.map((r) => r.join(' '));
  return { owner: `${svc.namespace}/${svc.service}`, filterRules: j(filterRules), natTopRules: j(natTopRules), chains, chainRules: j(rules) };
}

/**
 * The restore input from per-port rules in service-port-name order: top-level chains whole,
 * per-service chains only where write() says so (upstream's partial sync).
 */
export function assembleRuleSet(ports: ServicePortRules[], write: (p: ServicePortRules) => boolean, o: RuleOptions = {}): IptablesRuleSet {
  const f = fixedRules(o);
  const filterRules = [...f.filterHead];
  const natTopRules = [...f.natHead];
  const natServiceChains: string[] = [];
  const natServiceRules: string[] = [];
  let skippedNatRules = 0;
  for (const p of ports) {
    for (const r of p.filterRules) filterRules.push(r);
    for (const r of p.natTopRules) natTopRules.push(r);
    if (write(p)) {
      for (const c of p.chains) natServiceChains.push(chainLine(c));
      for (const r of p.chainRules) natServiceRules.push(r);
    } else {
      skippedNatRules += p.chainRules.length;
    }
  }
  natTopRules.push(...f.natTail);
  filterRules.push(...f.filterTail);

  // The interleaved layout and the set of all chains cost more than the rest of a partial sync
  // at 10,000 Services, and only a sync that writes the top-level chains (or deletes stale
  // chains after a full sync) needs them: computed on first use.
  let nat: { chains: string[]; rules: string[] } | undefined;
  const interleaved = () => {
    if (nat) return nat;
    const chains = [...f.natChains];
    const rules = [...f.natHead];
    for (const p of ports) {
      for (const r of p.natTopRules) rules.push(r);
      if (write(p)) {
        for (const c of p.chains) chains.push(chainLine(c));
        for (const r of p.chainRules) rules.push(r);
      }
    }
    rules.push(...f.natTail);
    return (nat = { chains, rules });
  };
  let active: Set<string> | undefined;
  return {
    filterChains: f.filterChains,
    filterRules,
    get natChains() {
      return interleaved().chains;
    },
    get natRules() {
      return interleaved().rules;
    },
    natTopRules,
    natServiceChains,
    natServiceRules,
    get activeNatChains() {
      active ??= new Set(ports.flatMap((p) => p.chains));
      return active;
    },
    skippedNatRules,
  };
}

/** The whole rule set for a model, without a cache (upstream syncProxyRules' generation part). */
export function generateIptablesRules(services: ServicePortMap, endpoints: EndpointsMap, cfg: ProxyConfig, o: GenerateOptions): IptablesRuleSet {
  const ro: RuleOptions = { localhostNodePorts: o.localhostNodePorts, largeClusterMode: o.largeClusterMode ?? isLargeCluster(services, endpoints) };
  const ports = [...services.keys()].sort().map((name) => servicePortRules(services.get(name)!, endpoints.get(name) ?? [], cfg, ro));
  return assembleRuleSet(ports, (p) => o.full || o.changedServices.has(p.owner), ro);
}

/** Affinity checks first, then one rule per endpoint with probability 1/(n-i) (upstream writeServiceToEndpointRules). */
function writeServiceToEndpointRules(rules: string[][], svc: ServicePortInfo, chain: string, eps: EndpointInfo[], sep: (ep: EndpointInfo) => string, large: boolean): void {
  const epComment = (ep: EndpointInfo) => (large ? [] : comment(`${svc.name} -> ${endpointString(ep)}`));
  if (svc.stickySeconds > 0) {
    for (const ep of eps) {
      rules.push(['-A', chain, ...epComment(ep), '-m', 'recent', '--name', sep(ep), '--rcheck', '--seconds', String(svc.stickySeconds), '--reap', '-j', sep(ep)]);
    }
  }
  eps.forEach((ep, i) => {
    const probability = i < eps.length - 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', (1 / (eps.length - i)).toFixed(10)] : [];
    rules.push(['-A', chain, ...epComment(ep), ...probability, '-j', sep(ep)]);
  });
}

export function chainLine(chain: string): string {
  return `:${chain} - [0:0]`;
}

export interface RestoreParts {
  /** Stale per-service chains: flushed (by declaring them) and removed with -X. */
  deleteChains?: string[];
  /** Jumps from built-in chains to insert ("-I ..." lines), per table. */
  jumps?: { filter: string[]; nat: string[] };
  /** Write the filter table (its chains are all top-level). Default true. */
  filter?: boolean;
  /** Write the top-level nat chains; false = only per-service chains. Default true. */
  natTop?: boolean;
}

/** The iptables-restore input; '' when there is nothing to write. */
export function renderRestoreInput(rs: IptablesRuleSet, parts: RestoreParts = {}): string {
  const del = parts.deleteChains ?? [];
  const natTop = parts.natTop ?? true;
  // One join per block: spreading 70,000 lines into one array costs more than the text itself.
  const out: string[] = [];
  const block = (lines: string[]) => lines.length && out.push(lines.join('\n'));
  if (parts.filter ?? true) {
    out.push('*filter');
    block(rs.filterChains);
    block(parts.jumps?.filter ?? []);
    block(rs.filterRules);
    out.push('COMMIT');
  }
  const natChains = natTop ? rs.natChains : rs.natServiceChains;
  const natRules = natTop ? rs.natRules : rs.natServiceRules;
  const jumps = parts.jumps?.nat ?? [];
  if (natChains.length || natRules.length || del.length || jumps.length) {
    out.push('*nat');
    block(natChains);
    block(del.map(chainLine));
    block(jumps);
    block(natRules);
    block(del.map((c) => `-X ${c}`));
    out.push('COMMIT');
  }
  return out.length ? out.join('\n') + '\n' : '';
}
