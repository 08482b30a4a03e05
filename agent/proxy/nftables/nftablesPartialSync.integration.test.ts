// Partial syncs on real nftables: each change goes in as a partial `nft -f` transaction into an
// empty network namespace; the test checks what the transaction held, then compares the whole
// table (nft -j list) with a second namespace that got one full sync of the same model. No
// traffic is sent: the namespaces have only a loopback that is down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createCommandRunner } from '../exec.ts';
import { makeSlice, overallFixture, testConfig, testLog, TrackedModel } from '../testFixtures.ts';
import { NftablesProxier } from './nftablesProxier.ts';
import { skipReason } from '../../../test/support/requirements.ts';

const skip = skipReason('nftablesPartialSync.integration.test', { root: 'network namespaces, nftables', tools: ['nft', 'nsenter'] });

const PREFIX = `knps${process.pid % 100000}`;
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const tryIp = (...args: string[]) => {
  try {
    ip(...args);
  } catch {
    // absent already
  }
};

type NftObject = Record<string, Record<string, unknown>>;

/** The kube-proxy table as chain → rule expressions in order, and set/map → sorted elements (handles dropped). */
function table(ns: string): { chains: Record<string, string[]>; sets: Record<string, string[]> } {
  const json = execFileSync('nsenter', [`--net=/run/netns/${ns}`, '--', 'nft', '-j', 'list', 'table', 'ip', 'kube-proxy'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  const chains: Record<string, string[]> = {};
  const sets: Record<string, string[]> = {};
  for (const o of (JSON.parse(json) as { nftables: NftObject[] }).nftables) {
    if (o.chain) chains[o.chain.name as string] ??= [];
    if (o.rule) (chains[o.rule.chain as string] ??= []).push(JSON.stringify([o.rule.expr, o.rule.comment]));
    const s = o.set ?? o.map;
    if (s) sets[s.name as string] = ((s.elem as unknown[]) ?? []).map((e) => JSON.stringify(e)).sort();
  }
  return { chains, sets };
}

describe.skipIf(!!skip)('nftables partial syncs on real nftables', () => {
  const nsPartial = `${PREFIX}-partial`;
  const nsFull = `${PREFIX}-full`;
  const fixture = overallFixture();
  const model = new TrackedModel(fixture.services, fixture.slices);
  const proxier = new NftablesProxier(testConfig, createCommandRunner(nsPartial), testLog);

  beforeAll(() => {
    for (const ns of [nsPartial, nsFull]) {
      tryIp('netns', 'del', ns);
      ip('netns', 'add', ns);
    }
  });
  afterAll(() => {
    for (const ns of [nsPartial, nsFull]) tryIp('netns', 'del', ns);
  });

  async function fullSyncTable() {
    tryIp('netns', 'del', nsFull);
    ip('netns', 'add', nsFull);
    await new NftablesProxier(testConfig, createCommandRunner(nsFull), testLog).sync(new TrackedModel(model.services, model.slices).input(true));
    return table(nsFull);
  }

  it('a full sync writes the whole table', { timeout: 60_000 }, async () => {
    await proxier.sync(model.input(true));
    expect(proxier.lastReport).toMatchObject({ full: true, writtenPorts: 6 });
    expect(table(nsPartial)).toEqual(await fullSyncTable());
  });

  it('an endpoint removed: only that Service’s chains are sent, and its stale endpoint chain deleted', { timeout: 60_000 }, async () => {
    model.setSlice('svc4', makeSlice('ns4', 'svc4', [{ addresses: ['10.180.0.4'] }]));
    await proxier.sync(model.input(false));
    const text = proxier.lastReport!.text;
    expect(proxier.lastReport).toMatchObject({ full: false, writtenPorts: 1 });
    expect(text).not.toMatch(/delete table|ns1\/svc1|ns2\/svc2/);
    expect(text).toContain('delete chain ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80');
    expect(table(nsPartial)).toEqual(await fullSyncTable());
  });

  it('a Service gets its first endpoint: its map elements move, nothing else is sent', { timeout: 60_000 }, async () => {
    model.setSlice('svc6', makeSlice('ns6', 'svc6', [{ addresses: ['10.180.0.6'] }]));
    await proxier.sync(model.input(false));
    const text = proxier.lastReport!.text;
    expect(text).toContain('delete element ip kube-proxy no-endpoint-services { 172.30.0.46 . tcp . 80 }');
    expect(text).not.toMatch(/ns[1-5]\/svc/);
    expect(table(nsPartial)).toEqual(await fullSyncTable());
  });

  it('a Service deleted, and one changed to session affinity: chains, elements and the affinity set follow', { timeout: 60_000 }, async () => {
    model.services = model.services.filter((s) => s.metadata!.name !== 'svc1').map((s) => (s.metadata!.name === 'svc3' ? { ...s, spec: { ...s.spec, sessionAffinity: 'ClientIP' } } : s));
    await proxier.sync(model.input(false));
    expect(proxier.lastReport).toMatchObject({ full: false, writtenPorts: 1 });
    expect(proxier.lastReport!.text).toContain('add set ip kube-proxy affinity-');
    expect(table(nsPartial)).toEqual(await fullSyncTable());
  });

  it('nothing changed: no nft run', { timeout: 60_000 }, async () => {
    await proxier.sync(model.input(false));
    expect(proxier.lastReport).toMatchObject({ full: false, writtenPorts: 0, text: '' });
  });
});
