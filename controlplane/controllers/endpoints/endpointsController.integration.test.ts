// The Endpoints controller against a real API server: `kubectl get ep` shows the ready pods of a
// Service, a pod that turns not ready moves to notReadyAddresses, a deleted pod disappears, and
// the Endpoints go with their Service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findResource } from '../../api/resources.ts';
import { isNotFound } from '../../client/index.ts';
import { startHarness, until, type Harness } from '../namespace/controllerTestHarness.ts';
import { NS, createNodes, createPod, createService, setPodStatus } from '../endpointslice/clusterFixtures.ts';
import { newEndpointsController, type EndpointsController } from './endpointsController.ts';
import type { EndpointsObj } from './endpointsSubsets.ts';

let h: Harness;
let ctrl: EndpointsController;
beforeAll(async () => {
  h = await startHarness();
  await createNodes(h.client, 'worker-1', 'worker-2');
  ctrl = newEndpointsController({ client: h.client, informers: h.informers, recorder: h.recorder, log: h.log });
  h.run((s) => ctrl.run(2, s));
});
afterAll(async () => {
  await h?.stop();
});

const endpoints = () => h.client.r<EndpointsObj>('v1', 'endpoints', NS);
/** "ready: ips; not ready: ips" over all subsets. */
const state = async (name: string) => {
  const ep = await endpoints().get(name);
  const ready = (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
  const notReady = (ep.subsets ?? []).flatMap((s) => (s.notReadyAddresses ?? []).map((a) => a.ip)).sort();
  return `ready: ${ready.join(',')}; not ready: ${notReady.join(',')}`;
};
const waitForState = (name: string, want: string) => until(async () => (await state(name)) === want, `${name} to be "${want}"`);

describe('endpoints controller', () => {
  it('kubectl get ep shows the ready pods of nginx-service', async () => {
    await createService(h.client, 'nginx-service', { selector: { app: 'nginx' } });
    await createPod(h.client, 'nginx-1', 'worker-1');
    await createPod(h.client, 'nginx-2', 'worker-2');
    await setPodStatus(h.client, 'nginx-1', '10.244.1.5', true);
    await setPodStatus(h.client, 'nginx-2', '10.244.2.6', true);
    await waitForState('nginx-service', 'ready: 10.244.1.5,10.244.2.6; not ready: ');

    const { stdout } = await h.cp.kubectl(['get', 'ep', 'nginx-service']);
    expect(stdout).toMatch(/^NAME\s+ENDPOINTS\s+AGE\nnginx-service\s+10\.244\.1\.5:80,10\.244\.2\.6:80\s/);
    const ep = await endpoints().get('nginx-service');
    expect(ep.subsets).toMatchObject([{ ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }]);
    expect(ep.subsets![0]!.addresses![0]).toMatchObject({ ip: '10.244.1.5', nodeName: 'worker-1', targetRef: { kind: 'Pod', namespace: NS, name: 'nginx-1' } });
    expect(ep.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('a pod that turns not ready moves to notReadyAddresses', async () => {
    await setPodStatus(h.client, 'nginx-2', '10.244.2.6', false);
    await waitForState('nginx-service', 'ready: 10.244.1.5; not ready: 10.244.2.6');
    const { stdout } = await h.cp.kubectl(['get', 'ep', 'nginx-service']);
    expect(stdout).toMatch(/nginx-service\s+10\.244\.1\.5:80\s/);
  });

  it('a pod being deleted leaves at once; a deleted pod stays gone', async () => {
    await h.client.r('v1', 'pods', NS).delete('nginx-1'); // graceful: still there, terminating
    await waitForState('nginx-service', 'ready: ; not ready: 10.244.2.6');
    await h.client.r('v1', 'pods', NS).delete('nginx-1', { gracePeriodSeconds: 0 });
    await setPodStatus(h.client, 'nginx-2', '10.244.2.6', true);
    await waitForState('nginx-service', 'ready: 10.244.2.6; not ready: ');
  });

  it('resolves a named targetPort on each pod', async () => {
    await createService(h.client, 'web', { selector: { app: 'web' }, targetPort: 'http' });
    await createPod(h.client, 'web-1', 'worker-1', { labels: { app: 'web' }, httpPort: 8080 });
    await setPodStatus(h.client, 'web-1', '10.244.1.10', true);
    await waitForState('web', 'ready: 10.244.1.10; not ready: ');
    const { stdout } = await h.cp.kubectl(['get', 'ep', 'web']);
    expect(stdout).toMatch(/web\s+10\.244\.1\.10:8080\s/);
  });

  it('rewrites Endpoints someone deleted, and deletes them with their Service', async () => {
    await endpoints().delete('web');
    await until(() => endpoints().get('web').catch(() => undefined), 'web Endpoints to be written again');
    await h.client.r('v1', 'services', NS).delete('web');
    await until(async () => isNotFound(await endpoints().get('web').catch((e) => e)), 'web Endpoints to go');
  });

  it('leaves the API server\'s own Endpoints and Services without a selector alone', async () => {
    await createService(h.client, 'manual');
    const services = h.informers.informerFor(findResource('', 'v1', 'services')!);
    await until(() => services.lister.get(NS, 'manual') && services.lister.get(NS, 'kubernetes'), 'the Services in the cache');
    const before = await endpoints().get('kubernetes');
    await ctrl.sync(`${NS}/manual`);
    await ctrl.sync(`${NS}/kubernetes`);
    expect(isNotFound(await endpoints().get('manual').catch((e) => e))).toBe(true);
    expect((await endpoints().get('kubernetes')).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });
});
