import { describe, expect, it } from 'vitest';
import type { ContainerPort, Pod } from 'kubernetes-types/core/v1.js';
import { admitPod, byCreationTime } from './podAdmission.ts';

function pod(uid: string, ports: ContainerPort[], extra: Partial<Pod['spec']> = {}): Pod {
  return { metadata: { uid, name: uid, namespace: 'default' }, spec: { containers: [{ name: 'c', ports }], ...extra } };
}

const REJECTED = {
  admit: false,
  reason: 'NodePorts',
  message: "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports",
};

describe('kubelet admission: NodePorts', () => {
  it.each<[string, ContainerPort[], ContainerPort[], boolean]>([
    ['same hostPort, both on every address', [{ containerPort: 80, hostPort: 8080 }], [{ containerPort: 81, hostPort: 8080 }], false],
    ['same hostPort, one on every address, one on an IP', [{ containerPort: 80, hostPort: 8080 }], [{ containerPort: 80, hostPort: 8080, hostIP: '127.0.0.1' }], false],
    ['same hostPort on the same IP', [{ containerPort: 80, hostPort: 8080, hostIP: '10.0.0.1' }], [{ containerPort: 80, hostPort: 8080, hostIP: '10.0.0.1' }], false],
    ['same hostPort on two different IPs', [{ containerPort: 80, hostPort: 8080, hostIP: '10.0.0.1' }], [{ containerPort: 80, hostPort: 8080, hostIP: '10.0.0.2' }], true],
    ['same hostPort, TCP and UDP', [{ containerPort: 53, hostPort: 53 }], [{ containerPort: 53, hostPort: 53, protocol: 'UDP' }], true],
    ['different hostPorts', [{ containerPort: 80, hostPort: 8080 }], [{ containerPort: 80, hostPort: 8081 }], true],
    ['same containerPort without hostPort', [{ containerPort: 80 }], [{ containerPort: 80 }], true],
  ])('%s → admitted %s', (_, existing, wanted, admitted) => {
    const result = admitPod(pod('new', wanted), [pod('old', existing)]);
    expect(result).toEqual(admitted ? { admit: true } : REJECTED);
  });

  it('a sidecar (restartable init container) holds its hostPort; a plain init container does not', () => {
    const sidecar = pod('old', [], { initContainers: [{ name: 's', restartPolicy: 'Always', ports: [{ containerPort: 80, hostPort: 9000 }] }] });
    const init = pod('old2', [], { initContainers: [{ name: 'i', ports: [{ containerPort: 80, hostPort: 9001 }] }] });
    expect(admitPod(pod('new', [{ containerPort: 80, hostPort: 9000 }]), [sidecar])).toEqual(REJECTED);
    expect(admitPod(pod('new', [{ containerPort: 80, hostPort: 9001 }]), [init])).toEqual({ admit: true });
  });

  it('the pod itself among the active pods does not conflict with itself', () => {
    const p = pod('same', [{ containerPort: 80, hostPort: 8080 }]);
    expect(admitPod(p, [p])).toEqual({ admit: true });
  });

  it('pods are admitted oldest first', () => {
    const at = (uid: string, t: string): Pod => ({ metadata: { uid, creationTimestamp: t } });
    const sorted = [at('b', '2024-01-01T00:00:02Z'), at('a', '2024-01-01T00:00:01Z'), at('c', '2024-01-01T00:00:03Z')].sort(byCreationTime);
    expect(sorted.map((p) => p.metadata?.uid)).toEqual(['a', 'b', 'c']);
  });
});
