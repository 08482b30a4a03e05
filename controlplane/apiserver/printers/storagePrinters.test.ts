import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { accessModesString, persistentVolumeClaimPrinter, persistentVolumePrinter } from './storagePrinters.ts';

const now = new Date('2024-06-01T12:00:00Z');
const created = new Date(now.getTime() - 600_000).toISOString();

describe('accessModesString', () => {
  it('abbreviates in a fixed order and drops repeats', () => {
    expect(accessModesString(['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce'])).toBe('RWO,RWX');
    expect(accessModesString(['ReadWriteOncePod', 'ReadOnlyMany'])).toBe('ROX,RWOP');
    expect(accessModesString(undefined)).toBe('');
  });
});

describe('persistentVolumePrinter', () => {
  const pv = (extra: Partial<PersistentVolume> = {}): PersistentVolume => ({
    metadata: { name: 'mysql-pv', creationTimestamp: created },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: 'manual',
      claimRef: { namespace: 'default', name: 'mysql-pvc' },
      hostPath: { path: '/mnt/data' },
    },
    status: { phase: 'Bound' },
    ...extra,
  });
  it('prints a bound volume', () => {
    expect(persistentVolumePrinter.print(pv(), now).cells).toEqual([
      'mysql-pv', '1Gi', 'RWO', 'Retain', 'Bound', 'default/mysql-pvc', 'manual', '<unset>', '', '10m', '<unset>',
    ]);
  });
  it('prints Terminating when deleted, and the beta storage-class annotation first', () => {
    const v = pv();
    v.metadata = { ...v.metadata, deletionTimestamp: now.toISOString(), annotations: { 'volume.beta.kubernetes.io/storage-class': 'old' } };
    const cells = persistentVolumePrinter.print(v, now).cells;
    expect([cells[4], cells[6]]).toEqual(['Terminating', 'old']);
  });
  it('prints an unclaimed volume without capacity as "0" with an empty claim', () => {
    const v: PersistentVolume = { metadata: { name: 'x', creationTimestamp: created }, spec: { volumeMode: 'Filesystem' }, status: { phase: 'Available' } };
    expect(persistentVolumePrinter.print(v, now).cells).toEqual(['x', '0', '', '', 'Available', '', '', '<unset>', '', '10m', 'Filesystem']);
  });
});

describe('persistentVolumeClaimPrinter', () => {
  it('prints a bound claim with the volume capacity and modes', () => {
    const pvc: PersistentVolumeClaim = {
      metadata: { name: 'mysql-pvc', namespace: 'default', creationTimestamp: created },
      spec: { volumeName: 'mysql-pv', storageClassName: 'manual', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '500Mi' } }, volumeMode: 'Filesystem' },
      status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] },
    };
    expect(persistentVolumeClaimPrinter.print(pvc, now).cells).toEqual([
      'mysql-pvc', 'Bound', 'mysql-pv', '1Gi', 'RWO', 'manual', '<unset>', '10m', 'Filesystem',
    ]);
  });
  it('prints a pending claim without capacity or modes', () => {
    const pvc: PersistentVolumeClaim = {
      metadata: { name: 'data', creationTimestamp: created },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      status: { phase: 'Pending' },
    };
    expect(persistentVolumeClaimPrinter.print(pvc, now).cells).toEqual(['data', 'Pending', '', '', '', '', '<unset>', '10m', '<unset>']);
  });
});
