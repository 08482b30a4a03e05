// Partial syncs on real iptables (upstream's MinimizeIPTablesRestore tests, with the kernel in
// place of the fake): in an empty network namespace, each change is applied as a partial sync
// and the test checks what the restore input held, then compares the whole ruleset
// (iptables-save) with a second namespace that got one full sync of the same model. No traffic
// is sent: the namespaces have only a loopback that is down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createCommandRunner } from '../exec.ts';
import { makeSlice, overallFixture, testConfig, testLog, TrackedModel } from '../testFixtures.ts';
import { IptablesProxier } from './iptablesProxier.ts';
import { JUMP_RULES } from './iptablesRules.ts';
import { skipReason } from '../../../test/support/requirements.ts';

const skip = skipReason('iptablesPartialSync.integration.test', { root: 'network namespaces, iptables', tools: ['iptables-restore', 'iptables-save', 'nsenter'] });

const PREFIX = `kpps${process.pid % 100000}`;
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const tryIp = (...args: string[]) => {
  try {
    ip(...args);
  } catch {
    // absent already
  }
};
const save = (ns: string) => execFileSync('nsenter', [`--net=/run/netns/${ns}`, '--', 'iptables-save'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/** iptables-save as table → chain → its rules in order (counters, comments lines and chain order dropped). */
function rulesByChain(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let table: Record<string, string[]> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) out[line.slice(1)] = table = {};
    else if (line.startsWith(':')) table[line.slice(1).split(' ')[0]!] ??= [];
    else if (line.startsWith('-A ')) (table[line.split(' ')[1]!] ??= []).push(line);
  }
  return out;
}

describe.skipIf(!!skip)('iptables partial syncs on real iptables', () => {
  const nsPartial = `${PREFIX}-partial`;
  const nsFull = `${PREFIX}-full`;
  const fixture = overallFixture();
  const model = new TrackedModel(fixture.services, fixture.slices);
  const proxier = new IptablesProxier(testConfig, createCommandRunner(nsPartial), testLog);

  beforeAll(() => {
    for (const ns of [nsPartial, nsFull]) {
      tryIp('netns', 'del', ns);
      ip('netns', 'add', ns);
    }
  });
  afterAll(() => {
    for (const ns of [nsPartial, nsFull]) tryIp('netns', 'del', ns);
  });

  /** The ruleset a single full sync of the model's current state writes, in a fresh namespace. */
  async function fullSyncRules(): Promise<ReturnType<typeof rulesByChain>> {
    tryIp('netns', 'del', nsFull);
    ip('netns', 'add', nsFull);
    const fresh = new IptablesProxier(testConfig, createCommandRunner(nsFull), testLog);
    await fresh.sync(new TrackedModel(model.services, model.slices).input(true));
    return rulesByChain(save(nsFull));
  }

  it('a full sync inserts every jump from the built-in chains; the next full sync finds them and inserts none', { timeout: 60_000 }, async () => {
    await proxier.sync(model.input(true));
    expect(proxier.lastReport).toMatchObject({ full: true, insertedJumps: JUMP_RULES.length, writtenPorts: 6 });
    await proxier.sync(model.input(true));
    expect(proxier.lastReport).toMatchObject({ full: true, insertedJumps: 0 });
    const rules = rulesByChain(save(nsPartial));
    expect(rules.nat!.PREROUTING).toEqual(['-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES']);
    expect(rules.filter!.INPUT!.filter((r) => r.endsWith('-j KUBE-FIREWALL'))).toHaveLength(1);
    expect(rules).toEqual(await fullSyncRules());
  });

  it('an endpoint removed: only that Service’s chains are written and the stale endpoint chain deleted', { timeout: 60_000 }, async () => {
    model.setSlice('svc4', makeSlice('ns4', 'svc4', [{ addresses: ['10.180.0.4'] }]));
    await proxier.sync(model.input(false));
    expect(proxier.lastReport).toMatchObject({ full: false, writtenPorts: 1, filterWritten: false, natTopWritten: false, deletedChains: ['KUBE-SEP-C6EBXVWJJZMIWKLZ'] });
    expect(proxier.lastReport!.text).toBe(PARTIAL_SVC4);
    expect(rulesByChain(save(nsPartial))).toEqual(await fullSyncRules());
  });

  it('a Service gets its first endpoint: the top-level chains change too and are written', { timeout: 60_000 }, async () => {
    model.setSlice('svc6', makeSlice('ns6', 'svc6', [{ addresses: ['10.180.0.6'] }]));
    await proxier.sync(model.input(false));
    expect(proxier.lastReport).toMatchObject({ full: false, writtenPorts: 1, filterWritten: true, natTopWritten: true, deletedChains: [] });
    expect(proxier.lastReport!.text).toMatch(/^\*filter\n/);
    expect(proxier.lastReport!.text).not.toContain('ns6/svc6:p80 has no endpoints');
    expect(proxier.lastReport!.text).not.toContain(':KUBE-SVC-XPGD46QRK7WJZT7O'); // svc1's chains are kept, not written
    expect(rulesByChain(save(nsPartial))).toEqual(await fullSyncRules());
  });

  it('a Service deleted: its chains go, the rest stays', { timeout: 60_000 }, async () => {
    model.services = model.services.filter((s) => s.metadata!.name !== 'svc1');
    await proxier.sync(model.input(false));
    expect(proxier.lastReport).toMatchObject({ full: false, writtenPorts: 0, natTopWritten: true, deletedChains: ['KUBE-SEP-SXIVWICOYRO3J4NJ', 'KUBE-SVC-XPGD46QRK7WJZT7O'] });
    expect(rulesByChain(save(nsPartial))).toEqual(await fullSyncRules());
  });

  it('nothing changed: no iptables-restore at all', { timeout: 60_000 }, async () => {
    await proxier.sync(model.input(false));
    expect(proxier.lastReport).toMatchObject({ full: false, writtenPorts: 0, text: '' });
  });

  it('rules changed behind the proxy’s back are put right by the next full sync', { timeout: 60_000 }, async () => {
    execFileSync('nsenter', [`--net=/run/netns/${nsPartial}`, '--', 'iptables', '-t', 'nat', '-F', 'KUBE-SERVICES']);
    execFileSync('nsenter', [`--net=/run/netns/${nsPartial}`, '--', 'iptables', '-t', 'nat', '-D', 'PREROUTING', '-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES']);
    await proxier.sync(model.input(true));
    expect(proxier.lastReport).toMatchObject({ full: true, insertedJumps: 1 });
    expect(rulesByChain(save(nsPartial))).toEqual(await fullSyncRules());
  });
});

// svc4 lost 10.180.0.5: its chains rewritten, the endpoint chain flushed and deleted; no filter
// table and no KUBE-SERVICES, whose rule for svc4 did not change.
const PARTIAL_SVC4 = `*nat
:KUBE-EXT-4SW47YFZTEDKD3PK - [0:0]
:KUBE-SVC-4SW47YFZTEDKD3PK - [0:0]
:KUBE-SEP-UKSFD7AGPMPPLUHC - [0:0]
:KUBE-SEP-C6EBXVWJJZMIWKLZ - [0:0]
-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-EXT-4SW47YFZTEDKD3PK -m comment --comment "masquerade traffic for ns4/svc4:p80 external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-4SW47YFZTEDKD3PK -j KUBE-SVC-4SW47YFZTEDKD3PK
-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -j KUBE-SEP-UKSFD7AGPMPPLUHC
-A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -s 10.180.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.4:80
-X KUBE-SEP-C6EBXVWJJZMIWKLZ
COMMIT
`;
