// Node IPAM against a real API server: nodes get 10.244.0.0/24, 10.244.1.0/24, ... in turn.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, until, type Harness } from '../namespace/controllerTestHarness.ts';
import { newNodeIpamController } from './nodeIpamController.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  const ctrl = newNodeIpamController({ client: h.client, informers: h.informers, recorder: h.recorder, log: h.log });
  h.run((s) => ctrl.run(2, s));
});
afterAll(async () => {
  await h?.stop();
});

const nodes = () => h.client.r('v1', 'nodes');
const podCIDR = (name: string) => until(async () => (await nodes().get(name)).spec?.podCIDR as string | undefined, `a podCIDR on ${name}`);

describe('node IPAM', () => {
  it('gives each node the next free /24, and a new node never one an existing node holds', async () => {
    // One node already holds .1.0/24 (set by hand, as a restarted cluster would have).
    await nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'preset' }, spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] } });
    await nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'master' } });
    expect(await podCIDR('master')).toBe('10.244.0.0/24');
    await nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-0' } });
    expect(await podCIDR('worker-0')).toBe('10.244.2.0/24');
    await nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1' } });
    expect(await podCIDR('worker-1')).toBe('10.244.3.0/24');
    expect((await nodes().get('worker-1')).spec.podCIDRs).toEqual(['10.244.3.0/24']);
  });

  it('assigns distinct blocks to nodes created at the same time', async () => {
    const names = ['burst-0', 'burst-1', 'burst-2', 'burst-3', 'burst-4'];
    await Promise.all(names.map((name) => nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name } })));
    const cidrs = await Promise.all(names.map(podCIDR));
    expect(new Set(cidrs).size).toBe(names.length);
    for (const c of cidrs) expect(['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24', '10.244.3.0/24']).not.toContain(c);
  });
});
