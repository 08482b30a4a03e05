import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { emptyClusterView, type ClusterView } from '../framework/interface.ts';
import { makeNode, makePod, newState, nodeInfos } from '../testing.ts';
import { volumeBinding } from './volumeBinding.ts';

const localPV = (name: string, host: string, o: { size?: string; claim?: string; phase?: string } = {}): PersistentVolume => ({
  metadata: { name },
  spec: {
    capacity: { storage: o.size ?? '1Gi' },
    accessModes: ['ReadWriteOnce'],
    storageClassName: 'manual',
    local: { path: '/mnt/data' },
    claimRef: o.claim ? { name: o.claim, namespace: 'default' } : undefined,
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [host] }] }] } },
  },
  status: { phase: o.phase ?? 'Available' },
});

const claim = (name: string, volumeName?: string, size = '1Gi'): PersistentVolumeClaim => ({
  metadata: { name, namespace: 'default' },
  spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'manual', resources: { requests: { storage: size } }, volumeName },
});

function view(pvcs: PersistentVolumeClaim[], pvs: PersistentVolume[]): ClusterView {
  return {
    ...emptyClusterView(),
    pvc: (ns, n) => pvcs.find((c) => c.metadata?.name === n && c.metadata?.namespace === ns),
    pv: (n) => pvs.find((p) => p.metadata?.name === n),
    pvs: () => pvs,
  };
}

const podWith = (...claims: string[]) =>
  makePod('mysql', { spec: { volumes: claims.map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } })) } });

function fitsOn(v: ClusterView, pod: ReturnType<typeof makePod>) {
  const plugin = volumeBinding(v);
  const state = newState();
  const pre = plugin.preFilter(state, pod).status;
  if (pre.code !== 'Success') return { pre };
  const infos = nodeInfos([makeNode('worker-0'), makeNode('worker-1')]);
  return Object.fromEntries(infos.map((n) => [n.name, plugin.filter(state, pod, n)]));
}

describe('VolumeBinding', () => {
  it('a claim bound to a local PV pinned to worker-0 fits only worker-0', () => {
    const r = fitsOn(view([claim('data', 'my-pv')], [localPV('my-pv', 'worker-0', { claim: 'data', phase: 'Bound' })]), podWith('data'));
    expect(r['worker-0']!.code).toBe('Success');
    expect(r['worker-1']).toEqual({ code: 'UnschedulableAndUnresolvable', reasons: ['node(s) had volume node affinity conflict'] });
  });

  it('an unbound claim fits where a matching Available PV is reachable', () => {
    const r = fitsOn(view([claim('data')], [localPV('my-pv', 'worker-0')]), podWith('data'));
    expect(r['worker-0']!.code).toBe('Success');
    expect(r['worker-1']!.reasons).toEqual(["node(s) didn't find available persistent volumes to bind"]);
  });

  it('a PV too small, of another class or claimed by someone else does not match', () => {
    const pvs = [localPV('small', 'worker-0', { size: '100Mi' }), { ...localPV('other-class', 'worker-0'), spec: { ...localPV('x', 'worker-0').spec, storageClassName: 'fast' } }, localPV('taken', 'worker-0', { claim: 'someone-else' })];
    const r = fitsOn(view([claim('data')], pvs), podWith('data'));
    expect(r['worker-0']!.code).toBe('UnschedulableAndUnresolvable');
  });

  it('two unbound claims need two PVs', () => {
    const r = fitsOn(view([claim('a'), claim('b')], [localPV('pv-1', 'worker-0'), localPV('pv-2', 'worker-0'), localPV('pv-3', 'worker-1')]), podWith('a', 'b'));
    expect(r['worker-0']!.code).toBe('Success');
    expect(r['worker-1']!.code).toBe('UnschedulableAndUnresolvable');
  });

  it('a missing claim rejects the pod in PreFilter', () => {
    expect(fitsOn(view([], []), podWith('data'))).toEqual({ pre: { code: 'UnschedulableAndUnresolvable', reasons: ['persistentvolumeclaim "data" not found'] } });
  });

  it('a claim bound to a PV that does not exist fits nowhere', () => {
    const r = fitsOn(view([claim('data', 'gone')], []), podWith('data'));
    expect(r['worker-0']!.reasons).toEqual(['node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)']);
  });

  it('pods without claims skip the plugin', () => {
    expect(volumeBinding(emptyClusterView()).preFilter(newState(), makePod('p')).status.code).toBe('Skip');
  });
});
