import { describe, expect, it } from 'vitest';
import { buildEndpointsMap } from '../endpointsMap.ts';
import { buildServiceMap } from '../serviceMap.ts';
import { makeService, makeSlice, overallFixture, testConfig, testLog, TEST_NODE } from '../testFixtures.ts';
import { generateIptablesRules, renderRestoreInput } from './iptablesRules.ts';
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
    const text = renderRestoreInput(generateIptablesRules(s, e, testConfig, { full: true, changedServices: new Set() }), ['KUBE-SEP-AAAAAAAAAAAAAAAA']);
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

describe('iptables helpers', () => {
  it('shows the lines around the one iptables-restore rejected', () => {
    const ctx = failureContext('a\nb\nc\nd\ne\nf\ng\nh', 'iptables-restore: line 5 failed');
    expect(ctx).toContain('>     5: e');
    expect(ctx).toContain('      2: b');
    expect(ctx).not.toContain(': a');
  });

  it('reads chain names from iptables-save', () => {
    expect(chainsInSave('*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SVC-X - [0:0]\n-A X\n')).toEqual(['PREROUTING', 'KUBE-SVC-X']);
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
