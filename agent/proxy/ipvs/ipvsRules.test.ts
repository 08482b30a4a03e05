import { describe, expect, it } from 'vitest';
import { buildEndpointsMap } from '../endpointsMap.ts';
import { buildServiceMap } from '../serviceMap.ts';
import { overallFixture, testConfig, testLog, TEST_NODE } from '../testFixtures.ts';
import { generateIpvsRules } from './ipvsRules.ts';
import { createCommandRunner } from '../exec.ts';
import { checkIpvsSupport } from './ipvsSupport.ts';

describe('ipvs rule generation', () => {
  const f = overallFixture();
  const rs = generateIpvsRules(buildServiceMap(f.services, testLog), buildEndpointsMap(f.slices, TEST_NODE, testLog), testConfig);

  it('one virtual server per ClusterIP, external IP and NodePort, masquerading real servers', () => {
    const lines = rs.ipvsadm.split('\n');
    expect(lines.slice(0, 3)).toEqual(['-A -t 172.30.0.41:80 -s rr', '-a -t 172.30.0.41:80 -r 10.180.0.1:80 -m -w 1', '-A -t 172.30.0.42:80 -s rr']);
    expect(lines).toContain('-A -t 192.168.0.2:3003 -s rr');
    expect(lines).toContain('-A -t 172.30.0.45:80 -s rr -p 10800');
    expect(lines).toContain('-A -t 172.30.0.46:80 -s rr');
    expect(lines.filter((l) => l.startsWith('-a -t 172.30.0.44:80'))).toEqual(['-a -t 172.30.0.44:80 -r 10.180.0.4:80 -m -w 1', '-a -t 172.30.0.44:80 -r 10.180.0.5:80 -m -w 1']);
  });

  it('binds ClusterIPs and external IPs to kube-ipvs0 and fills the ipsets', () => {
    expect(rs.addresses).toEqual(['172.30.0.41', '172.30.0.42', '172.30.0.43', '172.30.0.44', '172.30.0.45', '172.30.0.46', '192.168.99.22', '192.168.99.33']);
    expect(rs.ipset).toContain('add KUBE-CLUSTER-IP 172.30.0.41,tcp:80');
    expect(rs.ipset).toContain('add KUBE-LOOP-BACK 10.180.0.1,tcp:80,10.180.0.1');
    expect(rs.ipset).toContain('add KUBE-NODE-PORT-TCP 3003');
    expect(rs.iptables).toContain('-m set --match-set KUBE-CLUSTER-IP dst,dst ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ');
  });

  it('detects whether this kernel can run IPVS', async () => {
    const support = await checkIpvsSupport(createCommandRunner());
    if (!support.ok) {
      // Here (no ip_vs): the proxy falls back to iptables mode with this reason in its log.
      expect(support.reason).toMatch(/ip_vs|ipvsadm|dummy/);
    } else {
      expect(support.reason).toBeUndefined();
    }
  });
});
