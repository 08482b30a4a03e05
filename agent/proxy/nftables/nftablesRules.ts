// Pure rule generation for nftables mode (upstream pkg/proxy/nftables/proxier.go). One table,
// `ip kube-proxy`. Service dispatch is a verdict map lookup on (daddr . proto . dport) instead of
// a linear rule list; endpoint choice is `numgen random mod N vmap`. The generator builds the
// desired state; nftablesTransaction.ts turns the difference from the last state into one
// `nft -f` transaction.
import { categorizeEndpoints, externallyAccessible } from '../categorizeEndpoints.ts';
import { nftEndpointBase, nftServiceBase } from '../chainNames.ts';
import { cidrContains } from '../ip.ts';
import { endpointString, type EndpointInfo, type EndpointsMap, type ProxyConfig, type ServicePortInfo, type ServicePortMap } from '../types.ts';

export const TABLE = 'ip kube-proxy';
export const MASQUERADE_MARK = '0x4000';

// Maps and sets whose elements are diffed between syncs.
export const ELEMENT_MAPS = ['cluster-ips', 'service-ips', 'service-nodeports', 'no-endpoint-services', 'no-endpoint-nodeports', 'firewall-ips'] as const;
export type ElementMap = (typeof ELEMENT_MAPS)[number];

export interface NftState {
  /** Per-service chains: name → rule bodies. */
  chains: Map<string, string[]>;
  /** Affinity sets: name → declaration body. */
  sets: Map<string, string>;
  /** map/set name → element key → value ("" for sets). */
  elements: Record<ElementMap, Map<string, string>>;
  /** chain or set name → "ns/name" of the Service it belongs to. */
  owner: Map<string, string>;
}

/** The table's fixed part: base chains hooked into netfilter, helper chains, maps (upstream baseRules). */
export function baseRules(cfg: ProxyConfig): string[] {
  const t = TABLE;
  return [
    `add table ${t} { comment "rules for kube-proxy" ; }`,
    `add set ${t} cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }`,
    `add set ${t} nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }`,
    `add map ${t} firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }`,
    `add map ${t} no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }`,
    `add map ${t} no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }`,
    `add map ${t} service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }`,
    `add map ${t} service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }`,
    `add chain ${t} cluster-ips-check`,
    // Numeric priorities: nft 1.0.6 rejects the name "dstnat" on the output hook.
    `add chain ${t} filter-prerouting-pre-dnat { type filter hook prerouting priority -110 ; }`,
    `add chain ${t} filter-output-pre-dnat { type filter hook output priority -110 ; }`,
    `add chain ${t} filter-forward { type filter hook forward priority 0 ; }`,
    `add chain ${t} filter-input { type filter hook input priority 0 ; }`,
    `add chain ${t} filter-output { type filter hook output priority 0 ; }`,
    `add chain ${t} firewall-check`,
    `add chain ${t} mark-for-masquerade`,
    `add chain ${t} masquerading`,
    `add chain ${t} nat-output { type nat hook output priority -100 ; }`,
    `add chain ${t} nat-postrouting { type nat hook postrouting priority 100 ; }`,
    `add chain ${t} nat-prerouting { type nat hook prerouting priority -100 ; }`,
    `add chain ${t} nodeport-endpoints-check`,
    `add chain ${t} reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }`,
    `add chain ${t} services`,
    `add chain ${t} service-endpoints-check`,
    `add rule ${t} cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"`,
    `add rule ${t} cluster-ips-check ip daddr { ${cfg.serviceCIDR} } drop comment "Drop traffic to unallocated ClusterIPs"`,
    `add rule ${t} filter-prerouting-pre-dnat ct state new jump firewall-check`,
    `add rule ${t} filter-forward ct state new jump service-endpoints-check`,
    `add rule ${t} filter-forward ct state new jump cluster-ips-check`,
    `add rule ${t} filter-input ct state new jump nodeport-endpoints-check`,
    `add rule ${t} filter-input ct state new jump service-endpoints-check`,
    `add rule ${t} filter-output ct state new jump service-endpoints-check`,
    `add rule ${t} filter-output-pre-dnat ct state new jump firewall-check`,
    `add rule ${t} filter-output ct state new jump cluster-ips-check`,
    `add rule ${t} firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips`,
    `add rule ${t} mark-for-masquerade mark set mark or ${MASQUERADE_MARK}`,
    `add rule ${t} masquerading mark and ${MASQUERADE_MARK} == 0 return`,
    `add rule ${t} masquerading mark set mark xor ${MASQUERADE_MARK}`,
    `add rule ${t} masquerading masquerade fully-random`,
    `add rule ${t} nat-output jump services`,
    `add rule ${t} nat-postrouting jump masquerading`,
    `add rule ${t} nat-prerouting jump services`,
    `add rule ${t} nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports`,
    `add rule ${t} reject-chain reject`,
    `add rule ${t} services ip daddr . meta l4proto . th dport vmap @service-ips`,
    `add rule ${t} services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports`,
    `add element ${t} nodeport-ips { ${cfg.nodeIP} }`,
    `add rule ${t} service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services`,
  ];
}

export function emptyState(): NftState {
  return {
    chains: new Map(),
    sets: new Map(),
    elements: Object.fromEntries(ELEMENT_MAPS.map((m) => [m, new Map()])) as NftState['elements'],
    owner: new Map(),
  };
}

export function generateNftState(services: ServicePortMap, endpoints: EndpointsMap, cfg: ProxyConfig): NftState {
  const st = emptyState();
  for (const name of [...services.keys()].sort()) addServicePort(st, services.get(name)!, endpoints.get(name) ?? [], cfg);
  return st;
}

/** One service port's chains, sets and elements on their own (what a partial sync diffs). */
export function servicePortState(svc: ServicePortInfo, eps: EndpointInfo[], cfg: ProxyConfig): NftState {
  const st = emptyState();
  addServicePort(st, svc, eps, cfg);
  return st;
}

/** The states of several service ports as one, in the order given. */
export function mergeStates(parts: Iterable<NftState>): NftState {
  const st = emptyState();
  for (const p of parts) {
    for (const [k, v] of p.chains) st.chains.set(k, v);
    for (const [k, v] of p.sets) st.sets.set(k, v);
    for (const [k, v] of p.owner) st.owner.set(k, v);
    for (const m of ELEMENT_MAPS) for (const [k, v] of p.elements[m]) st.elements[m].set(k, v);
  }
  return st;
}

function addServicePort(st: NftState, svc: ServicePortInfo, eps: EndpointInfo[], cfg: ProxyConfig): void {
  const name = svc.name;
  const owner = `${svc.namespace}/${svc.service}`;
  const proto = svc.protocol.toLowerCase();
  const { clusterEndpoints, localEndpoints, allReachable, hasAnyEndpoints } = categorizeEndpoints(eps, svc);
  const base = nftServiceBase(svc);
  const clusterChain = `service-${base}`;
  const localChain = `local-${base}`;
  const externalChain = `external-${base}`;
  const firewallChain = `firewall-${base}`;
  const chain = (c: string, rules: string[]) => {
    st.chains.set(c, rules);
    st.owner.set(c, owner);
  };
  const el = (m: ElementMap, key: string, value = '') => st.elements[m].set(key, value);

  const internalChain = svc.internalPolicyLocal ? localChain : clusterChain;
  const hasInternal = svc.internalPolicyLocal ? localEndpoints.length > 0 : hasAnyEndpoints;
  const externalPolicyChain = svc.externalPolicyLocal ? localChain : clusterChain;
  const hasExternal = svc.externalPolicyLocal ? localEndpoints.length > 0 : hasAnyEndpoints;
  const usesExternal = hasAnyEndpoints && externallyAccessible(svc);
  const noEndpointVerdict = hasAnyEndpoints ? 'drop' : 'goto reject-chain';
  const key = (ip: string) => `${ip} . ${proto} . ${svc.port}`;
  const comment = `comment ${JSON.stringify(name)}`;

  el('cluster-ips', svc.clusterIP);
  if (hasInternal) el('service-ips', key(svc.clusterIP), `goto ${internalChain}`);
  else el('no-endpoint-services', `${key(svc.clusterIP)} ${comment}`, noEndpointVerdict);
  for (const ip of [...svc.externalIPs, ...svc.loadBalancerIPs]) {
    if (usesExternal) el('service-ips', key(ip), `goto ${externalChain}`);
    if (!hasExternal) el('no-endpoint-services', `${key(ip)} ${comment}`, noEndpointVerdict);
  }
  if (svc.nodePort > 0) {
    if (usesExternal) el('service-nodeports', `${proto} . ${svc.nodePort}`, `goto ${externalChain}`);
    if (!hasExternal) el('no-endpoint-nodeports', `${proto} . ${svc.nodePort} ${comment}`, noEndpointVerdict);
  }
  if (hasAnyEndpoints && svc.loadBalancerIPs.length > 0 && svc.loadBalancerSourceRanges.length > 0) {
    const allowed = [...svc.loadBalancerSourceRanges];
    if (allowed.some((r) => cidrContains(r, cfg.nodeIP))) allowed.push(...svc.loadBalancerIPs);
    chain(firewallChain, [`ip saddr != { ${allowed.join(', ')} } drop`]);
    for (const ip of svc.loadBalancerIPs) el('firewall-ips', key(ip), `goto ${firewallChain}`);
  }

  const masqOffCluster = `ip daddr ${svc.clusterIP} ip saddr != ${cfg.clusterCIDR} jump mark-for-masquerade`;
  const dispatch = (eps: typeof clusterEndpoints): string[] => {
    const rules: string[] = [];
    if (svc.stickySeconds > 0) {
      for (const ep of eps) {
        const b = nftEndpointBase(svc, ep);
        rules.push(`ip saddr @affinity-${b} goto endpoint-${b}`);
      }
    }
    const targets = eps.map((ep, i) => `${i} : goto endpoint-${nftEndpointBase(svc, ep)}`);
    rules.push(`numgen random mod ${eps.length} vmap { ${targets.join(' , ')} }`);
    return rules;
  };
  if (clusterEndpoints.length > 0) chain(clusterChain, [...(internalChain === clusterChain && hasInternal ? [masqOffCluster] : []), ...dispatch(clusterEndpoints)]);
  if (localEndpoints.length > 0) chain(localChain, [...(internalChain === localChain && hasInternal ? [masqOffCluster] : []), ...dispatch(localEndpoints)]);
  if (usesExternal) {
    const rules: string[] = [];
    if (!svc.externalPolicyLocal) {
      rules.push('jump mark-for-masquerade');
    } else {
      rules.push(`ip saddr ${cfg.clusterCIDR} goto ${clusterChain} comment "short-circuit pod traffic"`);
      rules.push('fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"');
      rules.push(`fib saddr type local goto ${clusterChain} comment "short-circuit local traffic"`);
    }
    if (hasExternal) rules.push(`goto ${externalPolicyChain}`);
    chain(externalChain, rules);
  }
  for (const ep of allReachable) {
    const b = nftEndpointBase(svc, ep);
    const rules = [`ip saddr ${ep.ip} jump mark-for-masquerade`];
    if (svc.stickySeconds > 0) {
      st.sets.set(`affinity-${b}`, `{ type ipv4_addr ; flags dynamic,timeout ; timeout ${svc.stickySeconds}s ; }`);
      st.owner.set(`affinity-${b}`, owner);
      rules.push(`update @affinity-${b} { ip saddr }`);
    }
    rules.push(`meta l4proto ${proto} dnat to ${endpointString(ep)}`);
    chain(`endpoint-${b}`, rules);
  }
}

export function countRules(st: NftState): number {
  let n = 0;
  for (const rules of st.chains.values()) n += rules.length;
  return n;
}
