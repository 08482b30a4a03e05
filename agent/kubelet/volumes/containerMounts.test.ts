import type { Container } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { planContainerMounts, type HostVolume } from './containerMounts.ts';

const volumes = new Map<string, HostVolume>([
  ['data', { hostPath: '/var/lib/kubelet/pods/u1/volumes/kubernetes.io~empty-dir/data', readOnly: false }],
  ['conf', { hostPath: '/var/lib/kubelet/pods/u1/volumes/kubernetes.io~configmap/conf', readOnly: true }],
  ['claim', { hostPath: '/mnt/disks/pv1', readOnly: true }],
]);
const container = (volumeMounts: Container['volumeMounts']): Container => ({ name: 'app', image: 'busybox', volumeMounts });

describe('planContainerMounts (upstream makeMounts)', () => {
  it('binds each volume at its mount path, private propagation, no SELinux relabel', () => {
    const plan = planContainerMounts(container([{ name: 'data', mountPath: '/data' }]), volumes);
    expect(plan).toEqual([
      { mount: { container_path: '/data', host_path: volumes.get('data')!.hostPath, readonly: false, selinux_relabel: false, propagation: 'PROPAGATION_PRIVATE' } },
    ]);
  });

  const readOnlyCases: { name: string; volume: string; readOnly?: boolean; want: boolean }[] = [
    { name: 'a writable volume mounted as written', volume: 'data', want: false },
    { name: 'readOnly on the volumeMount', volume: 'data', readOnly: true, want: true },
    { name: 'a configMap volume is always read-only', volume: 'conf', readOnly: false, want: true },
    { name: 'a PVC with readOnly: true is read-only', volume: 'claim', want: true },
  ];
  for (const c of readOnlyCases) {
    it(`read-only: ${c.name}`, () => {
      const [p] = planContainerMounts(container([{ name: c.volume, mountPath: '/m', readOnly: c.readOnly }]), volumes);
      expect(p.mount.readonly).toBe(c.want);
    });
  }

  const propagation: [string | undefined, string][] = [
    [undefined, 'PROPAGATION_PRIVATE'],
    ['None', 'PROPAGATION_PRIVATE'],
    ['HostToContainer', 'PROPAGATION_HOST_TO_CONTAINER'],
    ['Bidirectional', 'PROPAGATION_BIDIRECTIONAL'],
  ];
  for (const [mode, want] of propagation) {
    it(`mountPropagation ${mode ?? 'unset'} → ${want}`, () => {
      const [p] = planContainerMounts(container([{ name: 'data', mountPath: '/m', mountPropagation: mode }]), volumes);
      expect(p.mount.propagation).toBe(want);
    });
  }

  it('a subPath is planned for a bind mount at its mount index', () => {
    const plan = planContainerMounts(container([{ name: 'conf', mountPath: '/a' }, { name: 'data', mountPath: '/etc/app.conf', subPath: 'conf/app.conf' }]), volumes);
    expect(plan[1].subPath).toEqual({ volumeName: 'data', volumePath: volumes.get('data')!.hostPath, subPath: 'conf/app.conf', mountIndex: 1 });
    expect(plan[1].mount.host_path).toBe(`${volumes.get('data')!.hostPath}/conf/app.conf`);
  });

  it('subPathExpr expands the container environment', () => {
    const [p] = planContainerMounts(container([{ name: 'data', mountPath: '/logs', subPathExpr: 'logs/$(POD_NAME)' }]), volumes, [{ key: 'POD_NAME', value: 'web-0' }]);
    expect(p.subPath?.subPath).toBe('logs/web-0');
  });

  const errors: { name: string; mount: NonNullable<Container['volumeMounts']>[number]; env?: { key: string; value: string }[]; want: string }[] = [
    { name: 'an unknown volume', mount: { name: 'nope', mountPath: '/x' }, want: 'cannot find volume "nope" to mount into container "app"' },
    { name: 'an absolute subPath', mount: { name: 'data', mountPath: '/x', subPath: '/etc' }, want: 'error SubPath `/etc` must not be an absolute path' },
    { name: 'a subPath with ..', mount: { name: 'data', mountPath: '/x', subPath: 'a/../../etc' }, want: "unable to provision SubPath `a/../../etc`: must not contain '..'" },
    { name: 'a subPathExpr expanding to ..', mount: { name: 'data', mountPath: '/x', subPathExpr: '$(D)/x' }, env: [{ key: 'D', value: '..' }], want: "unable to provision SubPath `../x`: must not contain '..'" },
    { name: 'a subPathExpr with an undefined variable', mount: { name: 'data', mountPath: '/x', subPathExpr: '$(B)/$(A)' }, want: 'missing value for A, B' },
    { name: 'an invalid propagation mode', mount: { name: 'data', mountPath: '/x', mountPropagation: 'Sideways' }, want: 'invalid MountPropagation mode: "Sideways"' },
  ];
  for (const c of errors) {
    it(`refuses ${c.name}`, () => {
      expect(() => planContainerMounts(container([c.mount]), volumes, c.env)).toThrow(c.want);
    });
  }
});
