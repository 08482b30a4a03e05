import { describe, expect, it } from 'vitest';
import { buildEndpointsMap } from '../endpointsMap.ts';
import { buildServiceMap } from '../serviceMap.ts';
import { makeService, makeSlice, overallFixture, testConfig, testLog, TEST_NODE } from '../testFixtures.ts';
import { JUMP_RULES, LARGE_CLUSTER_ENDPOINTS_THRESHOLD, generateIptablesRules, renderRestoreInput } from './iptablesRules.ts';
import { jumpInsertLines, jumpRuleText, missingJumps } from './jumpRules.ts';
import { chainsInSave, failureContext, staleUdpConntrackCommands } from './iptablesProxier.ts';
import { iptablesCleanupPlan, splitRuleArgs } from '../cleanup.ts';
import { OVERALL_IPTABLES } from './overall.golden.ts';

function model(services = overallFixture().services, slices = overallFixture().slices) {
  return { s: buildServiceMap(services, testLog), e: buildEndpointsMap(slices, TEST_NODE, testLog) };
}

describe('iptables rule generation', () => {
  it('writes the upstream chain layout, hashes and comments for the fixed address plan', () => {
    const { s, e } = model();
    const text = renderRestoreInput(generateIptablesRules(s, e, testConfig, { full: true, changedServices: new Set() }));
    expect(text).toBe(OVERALL_IPTABLES + '\n');
  });

  it('a partial sync writes only the changed Service chains but keeps the others active', () => {
    const { s, e } = model();
    const rs = generateIptablesRules(s, e, testConfig, { full: false, changedServices: new Set(['ns1/svc1']) });
    const text = renderRestoreInput(rs);
    expect(text).toContain(':KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]');
    expect(text).not.toContain(':KUBE-SVC-X27LE4BHSL4DOUIK');
    // top-level chains are always rewritten whole
    expect(text).toContain('-j KUBE-SVC-X27LE4BHSL4DOUIK');
    expect(rs.activeNatChains.has('KUBE-SVC-X27LE4BHSL4DOUIK')).toBe(true);
    expect(rs.skippedNatRules).toBeGreaterThan(0);
  });

  it('stale chains are declared (flushed) and deleted', () => {
    const { s, e } = model();
    const text = renderRestoreInput(generateIptablesRules(s, e, testConfig, { full: true, changedServices: new Set() }), { deleteChains: ['KUBE-SEP-AAAAAAAAAAAAAAAA'] });
    expect(text).toMatch(/:KUBE-SEP-AAAAAAAAAAAAAAAA - \[0:0\][\s\S]*-X KUBE-SEP-AAAAAAAAAAAAAAAA\nCOMMIT\n$/);
  });

  it('three endpoints get probabilities 1/3, 1/2 and none', () => {
    const svc = makeService('ns', 'three', { clusterIP: '172.30.0.9', ports: [{ name: 'p80', port: 80 }] });
    const slice = makeSlice('ns', 'three', ['10.1.0.1', '10.1.0.2', '10.1.0.3'].map((ip) => ({ addresses: [ip] })));
    const { s, e } = model([svc], [slice]);
    const rules = generateIptablesRules(s, e, testConfig, { full: true, changedServices: new Set() }).natRules.filter((r) => r.includes(' -> '));
    expect(rules.map((r) => /--probability (\S+)/.exec(r)?.[1])).toEqual(['0.3333333333', '0.5000000000', undefined]);
  });

  it('only terminating endpoints are used when no endpoint is ready', () => {
    const svc = makeService('ns', 'term', { clusterIP: '172.30.0.9', ports: [{ name: 'p80', port: 80 }] });
    const slice = makeSlice('ns', 'term', [
      { addresses: ['10.1.0.1'], conditions: { ready: false, serving: true, terminating: true } },
      { addresses: ['10.1.0.2'], conditions: { ready: false, serving: false, terminating: true } },
    ]);
    const { s, e } = model([svc], [slice]);
    const text = renderRestoreInput(generateIptablesRules(s, e, testConfig, { full: true, changedServices: new Set() }));
    expect(text).toContain('--to-destination 10.1.0.1:80');
    expect(text).not.toContain('10.1.0.2');
  });
});

describe('large-cluster mode (upstream TestSyncProxyRulesLargeClusterMode)', () => {
  // Services with two endpoints each; just over the threshold of endpoints in total.
  const cluster = (services: number) => {
    const svcs = [];
    const slices = [];
    for (let i = 0; i < services; i++) {
      svcs.push(makeService('ns', `s${i}`, { clusterIP: `172.30.${i >> 8}.${i & 255}`, ports: [{ name: 'p80', port: 80 }] }));
      slices.push(makeSlice('ns', `s${i}`, [{ addresses: [`10.1.${i >> 7}.${(2 * i) & 255}`] }, { addresses: [`10.1.${i >> 7}.${(2 * i + 1) & 255}`] }]));
    }
    return model(svcs, slices);
  };

  it('over the threshold, endpoint rules carry no comments; the top-level and ClusterIP rules keep theirs', () => {
    const { s, e } = cluster(LARGE_CLUSTER_ENDPOINTS_THRESHOLD / 2 + 1);
    const rs = generateIptablesRules(s, e, testConfig, { full: true, changedServices: new Set() });
    const sep = rs.natRules.filter((r) => r.startsWith('-A KUBE-SEP-'));
    expect(sep.length).toBe(2 * 2 * (LARGE_CLUSTER_ENDPOINTS_THRESHOLD / 2 + 1));
    expect(sep.filter((r) => r.includes('--comment'))).toEqual([]);
    expect(rs.natRules.filter((r) => r.includes(' -> '))).toEqual([]);
    expect(rs.natRules.filter((r) => /^-A KUBE-SVC-\S+ -m statistic --mode random --probability 0\.5000000000 -j KUBE-SEP-\S+$/.test(r)).length).toBe(LARGE_CLUSTER_ENDPOINTS_THRESHOLD / 2 + 1);
    expect(rs.natRules.find((r) => r.startsWith('-A KUBE-SERVICES -m comment --comment "ns/s0:p80 cluster IP"'))).toBeDefined();
    expect(rs.natRules.filter((r) => r.startsWith('-A KUBE-SVC-') && r.includes('cluster IP')).length).toBe(LARGE_CLUSTER_ENDPOINTS_THRESHOLD / 2 + 1);
  });

  it('at the threshold, every rule keeps its comment', () => {
    const { s, e } = cluster(LARGE_CLUSTER_ENDPOINTS_THRESHOLD / 2);
    const rs = generateIptablesRules(s, e, testConfig, { full: true, changedServices: new Set() });
    expect(rs.natRules.filter((r) => r.startsWith('-A KUBE-SEP-') && !r.includes('--comment'))).toEqual([]);
  });
});

describe('jump rules from the built-in chains', () => {
  it('renders them as iptables-save prints them', () => {
    expect(jumpRuleText(JUMP_RULES[0]!)).toBe('-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES');
    expect(jumpRuleText(JUMP_RULES.at(-1)!, '-I')).toBe('-I OUTPUT -j KUBE-FIREWALL');
  });

  it('inserts only the jumps a saved ruleset lacks, per table', () => {
    const save = [
      '*filter', ':INPUT ACCEPT [0:0]',
      '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
      '-A INPUT -j KUBE-FIREWALL', '-A INPUT -j SOMEONE-ELSES', 'COMMIT',
      '*nat', ':PREROUTING ACCEPT [0:0]',
      '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES', 'COMMIT', '',
    ].join('\n');
    const missing = missingJumps(save, JUMP_RULES);
    expect(missing.length).toBe(JUMP_RULES.length - 3);
    const lines = jumpInsertLines(missing);
    expect(lines.nat).toEqual(['-I OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES', '-I POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING']);
    expect(lines.filter).not.toContain('-I INPUT -j KUBE-FIREWALL');
    expect(lines.filter).toContain('-I OUTPUT -j KUBE-FIREWALL');
    // The same jump in another table does not count.
    expect(missingJumps(save.replace('*nat', '*mangle'), JUMP_RULES).filter((j) => j.table === 'nat').length).toBe(3);
  });
});

describe('iptables helpers', () => {
  it('shows the lines around the one iptables-restore rejected', () => {
    const ctx = failureContext('a\nb\nc\nd\ne\nf\ng\nh', 'iptables-restore: line 5 failed');
    expect(ctx).toContain('>     5: e');
    expect(ctx).toContain('      2: b');
    expect(ctx).not.toContain(': a');
  });

  it('reads chain names from iptables-save', () => {
    expect(chainsInSave('*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SVC-X - [0:0]\n-A X\n')).toEqual(['PREROUTING', 'KUBE-SVC-X']);
    expect(chainsInSave('*filter\n:KUBE-SERVICES - [0:0]\nCOMMIT\n*nat\n:KUBE-SVC-X - [0:0]\nCOMMIT\n', 'nat')).toEqual(['KUBE-SVC-X']);
  });

  it('plans cleanup: delete jumps from built-in chains, then flush and delete our chains', () => {
    const save = '*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n:DOCKER - [0:0]\n-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES\n-A PREROUTING -j DOCKER\nCOMMIT\n';
    const plan = iptablesCleanupPlan(save);
    expect(plan.deletes).toEqual([['iptables', '-w', '-t', 'nat', '-D', 'PREROUTING', '-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES']]);
    expect(plan.restore).toBe('*nat\n:KUBE-SERVICES - [0:0]\n-X KUBE-SERVICES\nCOMMIT\n');
    expect(splitRuleArgs('-A X -m comment --comment "a b" -j Y')).toEqual(['-A', 'X', '-m', 'comment', '--comment', 'a b', '-j', 'Y']);
  });

  it('flushes UDP conntrack entries of removed endpoints and of Services that just got endpoints', () => {
    const udp = (ips: string[]) => model([makeService('ns', 'dns', { clusterIP: '172.30.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] })], [makeSlice('ns', 'dns', ips.map((ip) => ({ addresses: [ip] })), [{ name: 'dns', port: 53, protocol: 'UDP' }])]);
    const before = udp(['10.1.0.1', '10.1.0.2']);
    const after = udp(['10.1.0.2']);
    expect(staleUdpConntrackCommands(before.s, before.e, after.s, after.e)).toEqual([['conntrack', '-D', '--orig-dst', '172.30.0.10', '--dst-nat', '10.1.0.1', '-p', 'udp']]);
    const none = udp([]);
    expect(staleUdpConntrackCommands(none.s, none.e, after.s, after.e)).toEqual([['conntrack', '-D', '--orig-dst', '172.30.0.10', '-p', 'udp']]);
  });
});
