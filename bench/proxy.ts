// Proxy rule-sync benchmark: prints figures, asserts nothing.
//   node --import tsx bench/proxy.ts [sizes=1000,5000] [modes=iptables,nftables] [alone=no]
// (positional values work too: bench/proxy.ts 1000,5000,10000 iptables; alone=no skips the
// tool-alone replay, which at 10,000 Services takes as long as the full sync again)
//
// For each size and mode, N Services × 2 endpoints are generated as objects (no API server) and
// synced the way `k8ts proxy` syncs: the change trackers apply what changed (on a full sync,
// refilled from the whole object list first — proxy.ts's sync), then the mode's proxier
// generates its rules and applies them in one `iptables-restore --noflush` or `nft -f`, inside
// an empty network namespace the benchmark creates with `ip netns add` and removes afterwards.
//   full sync     start-up: everything written, into the empty namespace;
//   partial sync  one Service's endpoint replaced (one informer update event), with the full
//                 ruleset in place (repeated);
//   tool alone    the same full-sync text replayed into a second empty namespace by the tool
//                 alone — full sync / tool alone is the proxy's overhead (model, generation,
//                 bookkeeping commands such as the jump-rule checks and the stale-chain scan).
// 10,000 Services is opt-in: loading that ruleset takes minutes here (node-lab.md: 67–183 s for
// iptables-restore, 78–153 s for nft -f), and the run does it twice per mode.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release } from 'node:os';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { EndpointsChangeTracker } from '../agent/proxy/endpointsChangeTracker.ts';
import { IptablesProxier } from '../agent/proxy/iptables/iptablesProxier.ts';
import { NftablesProxier } from '../agent/proxy/nftables/nftablesProxier.ts';
import { ServiceChangeTracker } from '../agent/proxy/serviceChangeTracker.ts';
import type { ProxyBackend } from '../agent/proxy/types.ts';
import { ensurePackages } from '../lab/run.ts';
import { removeAllNamespaces, removeLeftoverNamespaces, timedRunner, withNamespace, type TimedRunner } from './support/benchNetns.ts';
import { benchConfig, generateCluster, replaceOneEndpoint, type BenchCluster } from './support/proxyModel.ts';

type Mode = 'iptables' | 'nftables';

const DEFAULT_SIZES = [1000, 5000];
const MODES: Mode[] = ['iptables', 'nftables'];
/** Partial syncs timed per size (one Service changed each time); the median is reported. */
const PARTIAL_SYNCS = 5;
/** A command that runs longer is killed: 5× the slowest 10k load seen here (node-lab.md, 183 s). */
const COMMAND_TIMEOUT_MS = 900_000;
/** The programs that apply a sync's text: the "tool" in tool-in-sync and tool-alone. */
const APPLY_TOOLS = ['iptables-restore', 'nft'];

interface Knobs {
  sizes: number[];
  modes: Mode[];
  alone: boolean;
}

function parseKnobs(argv: string[]): Knobs {
  const k: Knobs = { sizes: DEFAULT_SIZES, modes: MODES, alone: true };
  for (const arg of argv) {
    if (/^alone=(yes|no)$/.test(arg)) {
      k.alone = arg === 'alone=yes';
      continue;
    }
    const value = arg.replace(/^(sizes|modes)=/, '');
    if (/^\d+(,\d+)*$/.test(value)) k.sizes = value.split(',').map(Number);
    else if (value.split(',').every((m) => (MODES as string[]).includes(m))) k.modes = value.split(',') as Mode[];
    else throw new Error(`unknown argument ${JSON.stringify(arg)}: expected sizes (1000,5000,10000) or modes (iptables,nftables)`);
  }
  return k;
}

interface SyncFigures {
  totalMs: number;
  /** Model: the change trackers' update (a full sync refills them from every object first). */
  modelMs: number;
  /** Inside the proxier, outside any command: rule generation, rendering, diffing. */
  generateMs: number;
  /** The one iptables-restore / nft -f of this sync. */
  toolMs: number;
  /** Every other command the sync ran (jump-rule checks, iptables-save for stale chains). */
  otherCommandsMs: number;
  otherCommands: number;
  /** "iptables ×42 5.10 s, iptables-save ×1 0.20 s": where otherCommandsMs went. */
  otherCommandsByProgram: string;
  applyArgv: string[];
  text: string;
  ruleCounts: Record<string, number>;
}

/** What proxy.ts keeps between syncs: the change trackers the informer handlers feed. */
interface SyncState {
  services: ServiceChangeTracker;
  endpoints: EndpointsChangeTracker;
}

/** One sync exactly as proxy.ts's sync closure runs it, with the time split into its parts. */
async function syncOnce(backend: ProxyBackend, runner: TimedRunner, cluster: BenchCluster, state: SyncState, full: boolean): Promise<SyncFigures> {
  runner.reset();
  const t0 = performance.now();
  if (full) {
    state.services.replaceAll(cluster.services as Service[]);
    state.endpoints.replaceAll(cluster.slices as EndpointSlice[]);
  }
  const svcUpdate = state.services.update();
  const epUpdate = state.endpoints.update();
  const changed = new Set([...svcUpdate.changed, ...epUpdate.changed]);
  const t1 = performance.now();
  const result = await backend.sync({ services: svcUpdate.services, endpoints: epUpdate.endpoints, changedServices: changed, full });
  const t2 = performance.now();

  const apply = runner.records.find((r) => APPLY_TOOLS.includes(r.argv[0]!));
  const commandsMs = runner.records.reduce((s, r) => s + r.ms, 0);
  return {
    totalMs: t2 - t0,
    modelMs: t1 - t0,
    generateMs: t2 - t1 - commandsMs,
    toolMs: apply?.ms ?? 0,
    otherCommandsMs: commandsMs - (apply?.ms ?? 0),
    otherCommands: runner.records.length - (apply ? 1 : 0),
    otherCommandsByProgram: byProgram(runner.records.filter((r) => r !== apply)),
    applyArgv: apply?.argv ?? [],
    text: apply?.input ?? '',
    ruleCounts: result.ruleCounts,
  };
}

function byProgram(records: TimedRunner['records']): string {
  const sums = new Map<string, { n: number; ms: number }>();
  for (const r of records) {
    const e = sums.get(r.argv[0]!) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += r.ms;
    sums.set(r.argv[0]!, e);
  }
  return [...sums].map(([p, e]) => `${p} ×${e.n} ${(e.ms / 1000).toFixed(2)} s`).join(', ');
}

interface RunFigures {
  mode: Mode;
  size: number;
  full: SyncFigures;
  partials: SyncFigures[];
  toolAloneMs: number;
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const lines = (text: string) => text.split('\n').length - 1;
const note = (msg: string) => console.log(`  · ${msg}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function runOne(mode: Mode, size: number, alone: boolean): Promise<RunFigures> {
  const cluster = generateCluster(size);
  return withNamespace(async (ns) => {
    const runner = timedRunner(ns, COMMAND_TIMEOUT_MS);
    const log = pino({ level: 'warn' });
    const backend: ProxyBackend = mode === 'iptables' ? new IptablesProxier(benchConfig, runner.run, log) : new NftablesProxier(benchConfig, runner.run, log);
    await backend.setup();
    const state: SyncState = { services: new ServiceChangeTracker(log), endpoints: new EndpointsChangeTracker(benchConfig.nodeName, log) };

    const full = await syncOnce(backend, runner, cluster, state, true);
    note(`full sync ${s(full.totalMs)}: model ${s(full.modelMs)}, generate ${s(full.generateMs)}, ${full.applyArgv[0]} ${s(full.toolMs)}, ${full.otherCommands} other commands ${s(full.otherCommandsMs)}${full.otherCommands ? ` (${full.otherCommandsByProgram})` : ''}; ${lines(full.text)} lines; ${JSON.stringify(full.ruleCounts)}`);

    const partials: SyncFigures[] = [];
    for (let round = 0; round < PARTIAL_SYNCS; round++) {
      const before = cluster.slices[0]!;
      replaceOneEndpoint(cluster, round);
      state.endpoints.onChange(before as EndpointSlice, cluster.slices[0] as EndpointSlice);
      const p = await syncOnce(backend, runner, cluster, state, false);
      partials.push(p);
      note(`partial sync ${round + 1}: ${(p.totalMs).toFixed(0)} ms (model ${p.modelMs.toFixed(0)}, generate ${p.generateMs.toFixed(0)}, ${p.applyArgv[0] ?? 'no tool'} ${p.toolMs.toFixed(0)} ms, ${lines(p.text)} lines)`);
    }

    // The same text by the tool alone, into a second empty namespace (the first keeps its rules,
    // so its removal cannot run in the background meanwhile).
    if (!alone) return { mode, size, full, partials, toolAloneMs: NaN };
    const toolAloneMs = await withNamespace(async (ns2) => {
      const alone = timedRunner(ns2, COMMAND_TIMEOUT_MS);
      const r = await alone.run(full.applyArgv, { input: full.text });
      if (r.code !== 0) throw new Error(`${full.applyArgv.join(' ')} alone failed: ${r.stderr.trim().slice(0, 500)}`);
      return alone.records[0]!.ms;
    });
    note(`${full.applyArgv.join(' ')} alone: ${s(toolAloneMs)}`);
    return { mode, size, full, partials, toolAloneMs };
  });
}

function version(argv: string[]): string {
  try {
    return execFileSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

function printSummary(results: RunFigures[]): void {
  console.log(`\n== summary (seconds; partial sync in ms, median of ${PARTIAL_SYNCS}) ==`);
  // "ours" = full sync minus its own tool run: model + generation + bookkeeping commands. The
  // full/alone ratio also carries the tool's run-to-run variance, large on a busy machine.
  console.log('ours = full sync − tool in sync (model + generate + other commands)');
  const header = ['mode', 'services', 'text lines', 'full sync', 'model', 'generate', 'tool in sync', 'other cmds', 'ours', 'tool alone', 'full/alone', 'partial', 'partial tool', 'partial lines'];
  const rows = results.map((r) => {
    const f = r.full;
    return [
      r.mode, String(r.size), String(lines(f.text)),
      (f.totalMs / 1000).toFixed(2), (f.modelMs / 1000).toFixed(2), (f.generateMs / 1000).toFixed(2), (f.toolMs / 1000).toFixed(2), (f.otherCommandsMs / 1000).toFixed(2),
      ((f.totalMs - f.toolMs) / 1000).toFixed(2), Number.isNaN(r.toolAloneMs) ? '-' : (r.toolAloneMs / 1000).toFixed(2), Number.isNaN(r.toolAloneMs) ? '-' : (f.totalMs / r.toolAloneMs).toFixed(2),
      median(r.partials.map((p) => p.totalMs)).toFixed(0), median(r.partials.map((p) => p.toolMs)).toFixed(0), String(median(r.partials.map((p) => lines(p.text)))),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('needs root: it creates network namespaces and loads rules into them');
  const knobs = parseKnobs(process.argv.slice(2));
  await ensurePackages({ iptables: '/usr/sbin/iptables-restore', nftables: '/usr/sbin/nft', iproute2: '/usr/sbin/ip', 'util-linux': '/usr/bin/nsenter' });
  const leftovers = removeLeftoverNamespaces();
  if (leftovers.length) console.log(`removed namespaces left by an earlier run: ${leftovers.join(' ')}`);

  console.log(`proxy rule sync: sizes ${knobs.sizes.join(', ')} Services × 2 endpoints; modes ${knobs.modes.join(', ')}${knobs.sizes.includes(10_000) ? '' : ' (10000 is opt-in: bench/proxy.ts 1000,5000,10000)'}`);
  console.log(`kernel ${release()}, ${cpus().length} CPUs, ${version(['iptables', '--version'])}, ${version(['nft', '--version'])}`);

  const results: RunFigures[] = [];
  const failures: string[] = [];
  for (const size of knobs.sizes) {
    for (const mode of knobs.modes) {
      console.log(`\n== ${mode}, ${size} Services (load average ${loadavg()[0]!.toFixed(1)}) ==`);
      try {
        results.push(await runOne(mode, size, knobs.alone));
      } catch (e) {
        const msg = `${mode} ${size}: ${(e as Error).message.slice(0, 1000)}`;
        failures.push(msg);
        console.log(`  failed: ${msg}`);
      }
    }
  }
  if (results.length) printSummary(results);
  for (const f of failures) console.log(`failed: ${f}`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(removeAllNamespaces);
