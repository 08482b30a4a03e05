// Reading one Service's rules out of `iptables-save -t nat`, chain by chain, as a person does:
// KUBE-SERVICES → KUBE-SVC-… → KUBE-SEP-… (DNAT), and KUBE-NODEPORTS → KUBE-EXT-… → KUBE-SVC-….
//
//   serviceNatRules(save, "default/nginx-deploy")   (pure)

export interface ServiceNatRules {
  /** The KUBE-SERVICES rule matching the ClusterIP, and the chain it jumps to. */
  clusterIPRule?: string;
  svcChain?: string;
  /** One per endpoint, in the order KUBE-SVC-… tries them. */
  endpoints: { chain: string; jumpRule: string; dnatRule: string; destination: string }[];
  /** The KUBE-NODEPORTS rule, its port and the KUBE-EXT-… chain it jumps to. */
  nodePortRule?: string;
  nodePort?: number;
  extChain?: string;
  /** Every line of the Service's own chains (KUBE-SVC, KUBE-SEP, KUBE-EXT), as saved. */
  lines: string[];
}

const commentOf = (rule: string) => /--comment "([^"]*)"/.exec(rule)?.[1] ?? /--comment (\S+)/.exec(rule)?.[1] ?? '';
const jumpOf = (rule: string) => / -j (\S+)/.exec(rule)?.[1];
const chainOf = (rule: string) => /^-A (\S+)/.exec(rule)?.[1];

/** The rules of `service` ("namespace/name", any port) in a saved nat table. */
export function serviceNatRules(save: string, service: string): ServiceNatRules {
  const rules = save.split('\n').filter((l) => l.startsWith('-A '));
  const inChain = (chain: string) => rules.filter((r) => chainOf(r) === chain);
  const ofService = (r: string) => {
    const comment = commentOf(r);
    return comment === service || comment.startsWith(`${service}:`) || comment.startsWith(`${service} `);
  };

  const clusterIPRule = inChain('KUBE-SERVICES').find((r) => ofService(r) && commentOf(r).endsWith('cluster IP'));
  const svcChain = clusterIPRule ? jumpOf(clusterIPRule) : undefined;
  const endpoints = (svcChain ? inChain(svcChain) : [])
    .filter((r) => jumpOf(r)?.startsWith('KUBE-SEP-'))
    .map((jumpRule) => {
      const chain = jumpOf(jumpRule)!;
      const dnatRule = inChain(chain).find((r) => jumpOf(r) === 'DNAT') ?? '';
      return { chain, jumpRule, dnatRule, destination: /--to-destination (\S+)/.exec(dnatRule)?.[1] ?? '' };
    });
  const nodePortRule = inChain('KUBE-NODEPORTS').find(ofService);
  const extChain = nodePortRule ? jumpOf(nodePortRule) : undefined;
  const own = new Set([svcChain, extChain, ...endpoints.map((e) => e.chain)].filter(Boolean));
  return {
    clusterIPRule,
    svcChain,
    endpoints,
    nodePortRule,
    nodePort: nodePortRule ? Number(/--dport (\d+)/.exec(nodePortRule)?.[1]) : undefined,
    extChain,
    lines: rules.filter((r) => own.has(chainOf(r))),
  };
}
