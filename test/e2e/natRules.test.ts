// Reading a Service's chains out of a saved nat table (test/e2e/support/natRules.ts).
import { describe, expect, it } from 'vitest';
import { serviceNatRules } from './support/natRules.ts';

// Captured from `k8ts lab exec worker-0 -- iptables-save -t nat` (trimmed).
const SAVED = `*nat
:KUBE-SERVICES - [0:0]
-A KUBE-EXT-V2OKYYMBY3REGZOG -m comment --comment "masquerade traffic for default/nginx-service external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-V2OKYYMBY3REGZOG -j KUBE-SVC-V2OKYYMBY3REGZOG
-A KUBE-NODEPORTS -p tcp -m comment --comment "default/nginx-service" -m tcp --dport 30080 -j KUBE-EXT-V2OKYYMBY3REGZOG
-A KUBE-SEP-3JF4ZRTI4BCT6DKW -s 10.244.2.2/32 -m comment --comment "default/nginx-service" -j KUBE-MARK-MASQ
-A KUBE-SEP-3JF4ZRTI4BCT6DKW -p tcp -m comment --comment "default/nginx-service" -m tcp -j DNAT --to-destination 10.244.2.2:80
-A KUBE-SEP-QIOQ3KUA2GP7IZWE -p tcp -m comment --comment "mysql/mysql" -m tcp -j DNAT --to-destination 10.244.0.3:3306
-A KUBE-SERVICES -d 10.100.181.111/32 -p tcp -m comment --comment "default/nginx-service cluster IP" -m tcp --dport 80 -j KUBE-SVC-V2OKYYMBY3REGZOG
-A KUBE-SERVICES -d 10.103.111.185/32 -p tcp -m comment --comment "mysql/mysql cluster IP" -m tcp --dport 3306 -j KUBE-SVC-HWRDXHUERNUZHJIK
-A KUBE-SVC-V2OKYYMBY3REGZOG ! -s 10.244.0.0/16 -d 10.100.181.111/32 -p tcp -m comment --comment "default/nginx-service cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ
-A KUBE-SVC-V2OKYYMBY3REGZOG -m comment --comment "default/nginx-service -> 10.244.2.2:80" -j KUBE-SEP-3JF4ZRTI4BCT6DKW
-A KUBE-SVC-HWRDXHUERNUZHJIK -m comment --comment "mysql/mysql -> 10.244.0.3:3306" -j KUBE-SEP-QIOQ3KUA2GP7IZWE
COMMIT
`;

describe('serviceNatRules', () => {
  it('follows KUBE-SERVICES to the Service chain, its endpoint chains and their DNAT', () => {
    const r = serviceNatRules(SAVED, 'default/nginx-service');
    expect(r.svcChain).toBe('KUBE-SVC-V2OKYYMBY3REGZOG');
    expect(r.endpoints.map((e) => [e.chain, e.destination])).toEqual([['KUBE-SEP-3JF4ZRTI4BCT6DKW', '10.244.2.2:80']]);
    expect(r.nodePort).toBe(30080);
    expect(r.extChain).toBe('KUBE-EXT-V2OKYYMBY3REGZOG');
    expect(r.lines).toHaveLength(6);
    expect(r.lines.some((l) => l.includes('mysql'))).toBe(false);
  });

  it('tells Services apart by namespace and name, and finds nothing for an unknown one', () => {
    expect(serviceNatRules(SAVED, 'mysql/mysql').endpoints.map((e) => e.destination)).toEqual(['10.244.0.3:3306']);
    expect(serviceNatRules(SAVED, 'mysql/mysql').nodePort).toBeUndefined();
    expect(serviceNatRules(SAVED, 'default/nginx')).toMatchObject({ svcChain: undefined, endpoints: [], lines: [] });
  });
});
