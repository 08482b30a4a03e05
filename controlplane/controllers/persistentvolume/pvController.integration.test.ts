// The PV binder against a real API server: the user's my-pv / my-pvc, reclaim policies, best fit.
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound, type KubeObject } from '../../client/index.ts';
import { startHarness, until, type Harness } from '../namespace/controllerTestHarness.ts';
import { newPersistentVolumeController } from './pvController.ts';

const EXAMPLES = resolve(import.meta.dirname, '../../../examples');
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  const ctrl = newPersistentVolumeController({ client: h.client, informers: h.informers, recorder: h.recorder, log: h.log });
  h.run((s) => ctrl.run(2, s));
});
afterAll(async () => {
  await h?.stop();
});

const pvs = () => h.client.r('v1', 'persistentvolumes');
const pvcs = (ns: string) => h.client.r('v1', 'persistentvolumeclaims', ns);
const pv = (name: string, size: string, reclaim = 'Retain', cls = 'manual'): KubeObject => ({
  apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name },
  spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: reclaim, storageClassName: cls, hostPath: { path: `/tmp/${name}` } },
});
const pvc = (name: string, size: string, cls = 'manual', volumeName?: string): KubeObject => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], storageClassName: cls, resources: { requests: { storage: size } }, ...(volumeName ? { volumeName } : {}) },
});
const phaseIs = (get: () => Promise<KubeObject>, phase: string) => async () => {
  const o = await get();
  return o.status?.phase === phase ? o : undefined;
};

describe('persistent volume binder', () => {
  it('binds the user\'s my-pvc to my-pv', async () => {
    await h.cp.kubectl(['apply', '-f', join(EXAMPLES, 'mysql-namespace.yaml')]);
    await h.cp.kubectl(['apply', '-f', join(EXAMPLES, 'mysql-storage.yaml')]);
    const claim = await until(phaseIs(() => pvcs('mysql').get('my-pvc'), 'Bound'), 'my-pvc Bound');
    expect(claim.spec.volumeName).toBe('my-pv');
    expect(claim.status).toMatchObject({ accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } });
    expect(claim.metadata.annotations).toMatchObject({ 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' });
    const vol = await until(phaseIs(() => pvs().get('my-pv'), 'Bound'), 'my-pv Bound');
    expect(vol.spec.claimRef).toMatchObject({ kind: 'PersistentVolumeClaim', namespace: 'mysql', name: 'my-pvc', uid: claim.metadata.uid });
    expect(vol.metadata.annotations).toMatchObject({ 'pv.kubernetes.io/bound-by-controller': 'yes' });
    const { stdout } = await h.cp.kubectl(['get', 'pvc', '-n', 'mysql']);
    expect(stdout).toMatch(/my-pvc\s+Bound\s+my-pv\s+1Gi\s+RWO\s+local-storage/);

    // Retain: the PV outlives its claim as Released.
    await pvcs('mysql').delete('my-pvc');
    await until(phaseIs(() => pvs().get('my-pv'), 'Released'), 'my-pv Released');
  });

  it('picks the smallest PV that fits; a Delete PV goes with its claim', async () => {
    await pvs().create(pv('big', '10Gi', 'Delete'));
    await pvs().create(pv('small', '2Gi', 'Delete'));
    await pvs().create(pv('tiny', '500Mi', 'Delete'));
    await pvcs('default').create(pvc('data', '1Gi'));
    const claim = await until(phaseIs(() => pvcs('default').get('data'), 'Bound'), 'claim data Bound');
    expect(claim.spec.volumeName).toBe('small');
    expect(claim.status.capacity).toEqual({ storage: '2Gi' });
    await until(phaseIs(() => pvs().get('big'), 'Available'), 'big Available');

    await pvcs('default').delete('data');
    await until(async () => isNotFound(await pvs().get('small').catch((e) => e)), 'the Delete PV to be deleted');
  });

  it('a claim naming a volume gets exactly that one; one that fits nothing stays Pending', async () => {
    await pvcs('default').create(pvc('named', '1Gi', 'manual', 'big'));
    const claim = await until(phaseIs(() => pvcs('default').get('named'), 'Bound'), 'claim named Bound');
    expect(claim.spec.volumeName).toBe('big');
    expect(claim.metadata.annotations?.['pv.kubernetes.io/bound-by-controller']).toBeUndefined();

    await pvcs('default').create(pvc('huge', '1Ti'));
    await until(phaseIs(() => pvcs('default').get('huge'), 'Pending'), 'claim huge Pending');
    expect((await pvcs('default').get('huge')).spec.volumeName).toBeUndefined();
  });
});
