// The EndpointSlice controller against a real API server: pods marked running and ready by the
// test show up in the Service's slices, with their readiness, and leave them when deleted. The
// garbage collector runs too, so a deleted Service's slices go through their ownerReferences.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from 'kubernetes-types/discovery/v1.js';
import { findResource } from '../../api/resources.ts';
import { isNotFound } from '../../client/index.ts';
import { newGarbageCollector } from '../garbagecollector/garbageCollector.ts';
import { startHarness, until, type Harness } from '../namespace/controllerTestHarness.ts';
import { NS, createNodes, createPod, createService, setPodStatus } from './clusterFixtures.ts';
import { newEndpointSliceController, type EndpointSliceController } from './endpointSliceController.ts';
import type { Slice } from './sliceReconciler.ts';

let h: Harness;
let ctrl: EndpointSliceController;
beforeAll(async () => {
  h = await startHarness();
  await createNodes(h.client, 'worker-1', 'worker-2');
  ctrl = newEndpointSliceController({ client: h.client, informers: h.informers, recorder: h.recorder, log: h.log });
  const gc = newGarbageCollector({ client: h.client, informers: h.informers, recorder: h.recorder, log: h.log });
  h.run((s) => ctrl.run(2, s), (s) => gc.run(2, s));
});
afterAll(async () => {
  await h?.stop();
});

const slicesOf = async (service: string) =>
  (await h.client.r<Slice>('discovery.k8s.io/v1', 'endpointslices', NS).list({ labelSelector: `kubernetes.io/service-name=${service}` })).items;
/** Every endpoint of the Service as "ip ready|not-ready[ terminating]", sorted. */
const endpointsOf = async (service: string) =>
  (await slicesOf(service))
    .flatMap((s) => s.endpoints ?? [])
    .map((e: Endpoint) => `${e.addresses[0]} ${e.conditions?.ready ? 'ready' : 'not-ready'}${e.conditions?.terminating ? ' terminating' : ''}`)
    .sort();
const waitForEndpoints = (service: string, want: string[]) =>
  until(async () => JSON.stringify(await endpointsOf(service)) === JSON.stringify(want), `${service} endpoints ${want.join(', ')}`);

describe('endpointslice controller', () => {
  it('lists the ready pods of nginx-service in one slice owned by the Service', async () => {
    const svc = await createService(h.client, 'nginx-service', { selector: { app: 'nginx' } });
    await createPod(h.client, 'nginx-1', 'worker-1');
    await createPod(h.client, 'nginx-2', 'worker-2');
    await setPodStatus(h.client, 'nginx-1', '10.244.1.5', true);
    await setPodStatus(h.client, 'nginx-2', '10.244.2.6', true);
    await waitForEndpoints('nginx-service', ['10.244.1.5 ready', '10.244.2.6 ready']);

    const [slice, ...more] = await slicesOf('nginx-service');
    expect(more).toEqual([]);
    expect(slice!.metadata.name).toMatch(/^nginx-service-[a-z0-9]{5}$/);
    expect(slice!.metadata.labels?.['endpointslice.kubernetes.io/managed-by']).toBe('endpointslice-controller.k8s.io');
    expect(slice!.metadata.ownerReferences).toMatchObject([{ kind: 'Service', name: 'nginx-service', uid: svc.metadata.uid, controller: true }]);
    expect(slice!.ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP' }]);
    const byIP = Object.fromEntries(slice!.endpoints.map((e) => [e.addresses[0], e]));
    expect(byIP['10.244.2.6']).toMatchObject({ nodeName: 'worker-2', targetRef: { kind: 'Pod', namespace: NS, name: 'nginx-2' } });

    const { stdout } = await h.cp.kubectl(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=nginx-service']);
    expect(stdout).toMatch(/^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE/);
    expect(stdout).toMatch(/nginx-service-\w{5}\s+IPv4\s+80\s+(10\.244\.1\.5,10\.244\.2\.6|10\.244\.2\.6,10\.244\.1\.5)\s/);
  });

  it('marks a pod that turns not ready, and back', async () => {
    await setPodStatus(h.client, 'nginx-2', '10.244.2.6', false);
    await waitForEndpoints('nginx-service', ['10.244.1.5 ready', '10.244.2.6 not-ready']);
    await setPodStatus(h.client, 'nginx-2', '10.244.2.6', true);
    await waitForEndpoints('nginx-service', ['10.244.1.5 ready', '10.244.2.6 ready']);
  });

  it('a pod being deleted turns terminating, then disappears', async () => {
    const pods = h.client.r('v1', 'pods', NS);
    await pods.delete('nginx-1'); // bound to a node: graceful, it stays until the grace period ends
    await waitForEndpoints('nginx-service', ['10.244.1.5 not-ready terminating', '10.244.2.6 ready']);
    await pods.delete('nginx-1', { gracePeriodSeconds: 0 });
    await waitForEndpoints('nginx-service', ['10.244.2.6 ready']);
  });

  it('resolves a named targetPort per pod: different numbers go into different slices', async () => {
    await createService(h.client, 'web', { selector: { app: 'web' }, targetPort: 'http' });
    await createPod(h.client, 'web-1', 'worker-1', { labels: { app: 'web' }, httpPort: 8080 });
    await createPod(h.client, 'web-2', 'worker-2', { labels: { app: 'web' }, httpPort: 9090 });
    await setPodStatus(h.client, 'web-1', '10.244.1.10', true);
    await setPodStatus(h.client, 'web-2', '10.244.2.10', true);
    await waitForEndpoints('web', ['10.244.1.10 ready', '10.244.2.10 ready']);
    const ports = (await slicesOf('web')).map((s) => `${s.endpoints[0]?.addresses[0]}:${s.ports?.[0]?.port}`).sort();
    expect(ports).toEqual(['10.244.1.10:8080', '10.244.2.10:9090']);
  });

  it('gives a Service that selects nothing one empty slice', async () => {
    await createService(h.client, 'lonely', { selector: { app: 'nobody' } });
    const [slice] = await until(async () => {
      const s = await slicesOf('lonely');
      return s.length ? s : undefined;
    }, 'the placeholder slice');
    expect(slice!.endpoints ?? []).toEqual([]);
  });

  it('leaves a Service without a selector alone', async () => {
    await createService(h.client, 'manual');
    // Once the controller's cache holds the Service, a sync of it must write nothing.
    const services = h.informers.informerFor(findResource('', 'v1', 'services')!);
    await until(() => services.lister.get(NS, 'manual'), 'the Service in the cache');
    await ctrl.sync(`${NS}/manual`);
    expect(await slicesOf('manual')).toEqual([]);
  });

  it('the slices go with their Service', async () => {
    expect((await slicesOf('web')).length).toBe(2);
    await h.client.r('v1', 'services', NS).delete('web');
    await until(async () => (await slicesOf('web')).length === 0, 'the slices of web to be collected');
    expect(isNotFound(await h.client.r('v1', 'services', NS).get('web').catch((e) => e))).toBe(true);
  });
});
