import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../client/types.ts';
import { claimRefState, findBestVolume, mismatch } from './volumeMatch.ts';

function pv(name: string, o: { size?: string; modes?: string[]; cls?: string; phase?: string; claimRef?: object; labels?: Record<string, string>; mode?: string } = {}): KubeObject {
  return {
    metadata: { name, ...(o.labels ? { labels: o.labels } : {}) },
    spec: { capacity: { storage: o.size ?? '1Gi' }, accessModes: o.modes ?? ['ReadWriteOnce'], storageClassName: o.cls ?? 'local-storage', ...(o.claimRef ? { claimRef: o.claimRef } : {}), ...(o.mode ? { volumeMode: o.mode } : {}) },
    status: { phase: o.phase ?? 'Available' },
  };
}
function claim(o: { size?: string; modes?: string[]; cls?: string; selector?: object } = {}): KubeObject {
  return {
    metadata: { name: 'my-pvc', namespace: 'mysql', uid: 'c1' },
    spec: { accessModes: o.modes ?? ['ReadWriteOnce'], storageClassName: o.cls ?? 'local-storage', resources: { requests: { storage: o.size ?? '1Gi' } }, ...(o.selector ? { selector: o.selector } : {}) },
  };
}

describe('mismatch', () => {
  it.each([
    ['the user\'s my-pv fits my-pvc', pv('my-pv'), claim(), undefined],
    ['another storage class', pv('a', { cls: 'fast' }), claim(), 'storageClassName does not match'],
    ['no class on either side matches', pv('a', { cls: '' }), claim({ cls: '' }), undefined],
    ['a PV with more modes than asked fits', pv('a', { modes: ['ReadWriteOnce', 'ReadOnlyMany'] }), claim(), undefined],
    ['a PV missing a mode does not', pv('a', { modes: ['ReadOnlyMany'] }), claim(), 'access modes ReadWriteOnce not offered'],
    ['a bigger PV fits', pv('a', { size: '10Gi' }), claim({ size: '500Mi' }), undefined],
    ['a smaller PV does not', pv('a', { size: '1G' }), claim({ size: '1Gi' }), 'requested PV is too small'],
    ['block vs filesystem', pv('a', { mode: 'Block' }), claim(), 'volumeMode does not match'],
    ['selector matches labels', pv('a', { labels: { disk: 'ssd' } }), claim({ selector: { matchLabels: { disk: 'ssd' } } }), undefined],
    ['selector does not', pv('a', { labels: { disk: 'hdd' } }), claim({ selector: { matchLabels: { disk: 'ssd' } } }), "labels do not match the claim's selector"],
  ])('%s', (_n, v, c, want) => expect(mismatch(v, c)).toBe(want));
});

describe('findBestVolume', () => {
  const names = (v: KubeObject | undefined) => v?.metadata.name;
  it.each([
    ['the smallest that fits', [pv('big', { size: '10Gi' }), pv('small', { size: '2Gi' }), pv('tiny', { size: '100Mi' })], 'small'],
    ['by name when sizes tie', [pv('b'), pv('a')], 'a'],
    ['never a bound or released PV', [pv('bound', { phase: 'Bound', claimRef: { namespace: 'x', name: 'y', uid: 'u' } }), pv('rel', { phase: 'Released' })], undefined],
    ['a PV pre-bound to this claim wins over a smaller free one', [pv('free', { size: '1Gi' }), pv('mine', { size: '5Gi', claimRef: { namespace: 'mysql', name: 'my-pvc' } })], 'mine'],
    ['never a PV pre-bound to another claim', [pv('theirs', { claimRef: { namespace: 'mysql', name: 'other' } })], undefined],
    ['a fresh PV with no phase yet', [pv('new', { phase: undefined as unknown as string })], 'new'],
  ])('picks %s', (_n, pvs, want) => expect(names(findBestVolume(pvs, claim()))).toBe(want));
});

describe('claimRefState', () => {
  const ref = { namespace: 'mysql', name: 'my-pvc', uid: 'c1' };
  const bound = { ...claim(), spec: { ...claim().spec, volumeName: 'my-pv' } };
  it.each([
    ['pre-bound by a user without uid', pv('my-pv', { claimRef: { namespace: 'mysql', name: 'my-pvc' } }), claim(), 'available'],
    ['claim points back', pv('my-pv', { claimRef: ref }), bound, 'bound'],
    ['claim not yet pointing', pv('my-pv', { claimRef: ref }), claim(), 'binding'],
    ['claim bound elsewhere', pv('other', { claimRef: ref }), bound, 'misbound'],
    ['claim gone', pv('my-pv', { claimRef: ref }), undefined, 'released'],
    ['claim recreated with another uid', pv('my-pv', { claimRef: { ...ref, uid: 'old' } }), claim(), 'released'],
  ])('%s', (_n, v, c, want) => expect(claimRefState(v, c)).toBe(want));
});
