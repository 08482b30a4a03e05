import { describe, expect, it } from 'vitest';
import { buildEndpointsMap } from '../endpointsMap.ts';
import { buildServiceMap } from '../serviceMap.ts';
import { makeSlice, overallFixture, testConfig, testLog, TEST_NODE } from '../testFixtures.ts';
import { generateNftState } from './nftablesRules.ts';
import { renderFullTransaction, renderPartialTransaction } from './nftablesTransaction.ts';
import { OVERALL_NFTABLES } from './overall.golden.ts';

function state(slices = overallFixture().slices) {
  const f = overallFixture();
  return generateNftState(buildServiceMap(f.services, testLog), buildEndpointsMap(slices, TEST_NODE, testLog), testConfig);
}

describe('nftables rule generation', () => {
  it('writes upstream kube-proxy table for the fixed address plan', () => {
    expect(renderFullTransaction(testConfig, state())).toBe(OVERALL_NFTABLES + '\n');
  });

  it('a partial sync with nothing changed sends nothing', () => {
    expect(renderPartialTransaction(state(), state(), new Set())).toBe('');
  });

  it('scaling a Service rewrites its chain, removes the old endpoint chain, and diffs elements', () => {
    const before = state();
    const slices = overallFixture().slices.map((s) => (s.metadata!.namespace === 'ns4' ? makeSlice('ns4', 'svc4', [{ addresses: ['10.180.0.4'] }]) : s));
    const tx = renderPartialTransaction(before, state(slices), new Set(['ns4/svc4']));
    expect(tx.split('\n')).toEqual([
      'add chain ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80',
      'flush chain ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80',
      'add chain ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80',
      'flush chain ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80',
      'add chain ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80',
      'flush chain ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80',
      'add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 ip daddr 172.30.0.44 ip saddr != 10.0.0.0/8 jump mark-for-masquerade',
      'add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 }',
      'add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 jump mark-for-masquerade',
      'add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 goto service-LAUZTJTB-ns4/svc4/tcp/p80',
      'add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 ip saddr 10.180.0.4 jump mark-for-masquerade',
      'add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 meta l4proto tcp dnat to 10.180.0.4:80',
      'flush chain ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80',
      'delete chain ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80',
      '',
    ]);
  });

  it('a Service losing its endpoints moves from service-ips to no-endpoint-services', () => {
    const slices = overallFixture().slices.filter((s) => s.metadata!.namespace !== 'ns1');
    const tx = renderPartialTransaction(state(), state(slices), new Set(['ns1/svc1']));
    expect(tx).toContain('delete element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 }');
    expect(tx).toContain('add element ip kube-proxy no-endpoint-services { 172.30.0.41 . tcp . 80 comment "ns1/svc1:p80" : goto reject-chain }');
    expect(tx).toContain('delete chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80');
    // elements are removed before the chains they point at
    expect(tx.indexOf('delete element')).toBeLessThan(tx.indexOf('delete chain'));
  });
});
