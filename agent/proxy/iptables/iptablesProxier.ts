// iptables mode: applies what iptablesRules.ts generates (upstream pkg/proxy/iptables/proxier.go
// syncProxyRules). One `iptables-restore --noflush` per sync, so other programs' rules stay and
// ours change atomically.
//
// A full sync (start-up, after any failure, and periodically — proxy.ts decides) regenerates
// every service port, runs one `iptables-save` to find stale chains and missing jumps from the
// built-in chains (jumpRules.ts), and writes everything. A partial sync (upstream's
// MinimizeIPTablesRestore) regenerates only the ports of Services the change trackers reported,
// keeps the other ports' rules from the last sync, and writes only the changed Services' chains
// and the chains that became stale. The top-level chains (KUBE-SERVICES, KUBE-NODEPORTS, the
// filter table) are written whenever their content differs from the last successful restore;
// upstream writes them on every sync, which with iptables-nft costs seconds at 10,000 Services
// for a KUBE-SERVICES that did not change — an unchanged chain left alone is the same ruleset.
import { categorizeEndpoints } from '../categorizeEndpoints.ts';
import type { CommandRunner } from '../exec.ts';
import { mustRun } from '../exec.ts';
import { IPTABLES_SERVICE_CHAIN } from '../chainNames.ts';
import type { EndpointsMap, Logger, ProxyBackend, ProxyConfig, ServicePortMap, SyncInput, SyncResult } from '../types.ts';
import {
  JUMP_RULES,
  assembleRuleSet,
  isLargeCluster,
  renderRestoreInput,
  servicePortRules,
  type JumpRule,
  type ServicePortRules,
} from './iptablesRules.ts';
import { jumpInsertLines, missingJumps } from './jumpRules.ts';

// Lines shown either side of the line iptables-restore rejects (upstream ExtractLines uses 3).
const CONTEXT_LINES = 3;

/** What a sync wrote, for tests and the benchmark. */
export interface IptablesSyncReport {
  full: boolean;
  largeClusterMode: boolean;
  /** Service ports whose chains were written. */
  writtenPorts: number;
  filterWritten: boolean;
  natTopWritten: boolean;
  deletedChains: string[];
  insertedJumps: number;
  /** The restore input ('' = no iptables-restore was run). */
  text: string;
}

export class IptablesProxier implements ProxyBackend {
  readonly mode = 'iptables' as const;
  /** Service port name → its rules as last generated. */
  private readonly ports = new Map<string, ServicePortRules>();
  private sortedNames: string[] | undefined;
  private largeClusterMode = false;
  /** Content of the top-level chains as last restored; undefined = unknown, write them. */
  private lastFilterRules: string[] | undefined;
  private lastNatTopRules: string[] | undefined;
  /** UDP ports and their endpoints at the last sync, for conntrack cleanup (the maps themselves change). */
  private lastUdp = udpOnly(new Map(), new Map());
  lastReport: IptablesSyncReport | undefined;

  constructor(
    private readonly cfg: ProxyConfig,
    private readonly run: CommandRunner,
    private readonly log: Logger,
  ) {}

  async setup(): Promise<void> {
    // NodePorts on 127.0.0.1 need route_localnet; pod → ClusterIP → pod on one bridge needs
    // bridged traffic to pass through iptables (upstream sets both at start).
    await setSysctl(this.run, this.log, 'net.ipv4.conf.all.route_localnet', '1', true);
    await setSysctl(this.run, this.log, 'net.bridge.bridge-nf-call-iptables', '1', false);
    await setSysctl(this.run, this.log, 'net.ipv4.ip_forward', '1', false);
  }

  async sync(input: SyncInput): Promise<SyncResult> {
    const { services, endpoints } = input;
    const large = isLargeCluster(services, endpoints);
    // Comments on endpoint rules come and go with large-cluster mode: every chain is rewritten.
    const regenerateAll = input.full || large !== this.largeClusterMode;
    this.largeClusterMode = large;
    const ro = { largeClusterMode: large };

    // Drop the cached rules of ports that changed or are gone; their chains may become stale.
    const replaced: ServicePortRules[] = [];
    for (const [name, r] of this.ports) {
      if (regenerateAll || !services.has(name) || input.changedServices.has(r.owner)) {
        replaced.push(r);
        this.ports.delete(name);
        this.sortedNames = undefined;
      }
    }
    const written = new Set<ServicePortRules>();
    for (const [name, svc] of services) {
      if (this.ports.has(name)) continue;
      const r = servicePortRules(svc, endpoints.get(name) ?? [], this.cfg, ro);
      this.ports.set(name, r);
      written.add(r);
      this.sortedNames = undefined;
    }
    this.sortedNames ??= [...this.ports.keys()].sort();
    const rules = assembleRuleSet(this.sortedNames.map((n) => this.ports.get(n)!), (p) => written.has(p), ro);

    let stale: string[];
    let jumps = { filter: [] as string[], nat: [] as string[] };
    if (input.full) {
      const save = await this.run(['iptables-save']);
      if (save.code === 0) {
        stale = chainsInSave(save.stdout, 'nat').filter((c) => IPTABLES_SERVICE_CHAIN.test(c) && !rules.activeNatChains.has(c));
        jumps = jumpInsertLines(missingJumps(save.stdout, JUMP_RULES.filter((j) => declared(rules, j))));
      } else {
        // Without the saved ruleset: check each jump as upstream does; a later full sync finds the stale chains.
        this.log.error({ err: save.stderr.trim() }, 'iptables-save failed: stale chains will not be deleted');
        stale = [];
        jumps = await this.jumpsByCheck(rules);
      }
    } else {
      const now = new Set<string>();
      for (const r of written) for (const c of r.chains) now.add(c);
      stale = [...new Set(replaced.flatMap((r) => r.chains))].filter((c) => !now.has(c)).sort();
    }

    const filter = input.full || !sameLines(this.lastFilterRules, rules.filterRules);
    const natTop = input.full || !sameLines(this.lastNatTopRules, rules.natTopRules);
    const text = renderRestoreInput(rules, { deleteChains: stale, jumps, filter, natTop });
    // Invalidate first: should the restore fail, the next sync must not trust the cache.
    this.lastFilterRules = this.lastNatTopRules = undefined;
    if (text) {
      const r = await this.run(['iptables-restore', '--noflush', '--counters'], { input: text });
      if (r.code !== 0) {
        this.ports.clear();
        this.sortedNames = undefined;
        throw new Error(`iptables-restore failed: ${r.stderr.trim()}${failureContext(text, r.stderr)}`);
      }
    }
    this.lastFilterRules = rules.filterRules;
    this.lastNatTopRules = rules.natTopRules;
    const udp = udpOnly(services, endpoints);
    await clearUdpConntrack(this.run, this.log, this.lastUdp.services, this.lastUdp.endpoints, udp.services, udp.endpoints);
    this.lastUdp = udp;
    this.lastReport = {
      full: input.full,
      largeClusterMode: large,
      writtenPorts: written.size,
      filterWritten: filter,
      natTopWritten: natTop,
      deletedChains: stale,
      insertedJumps: jumps.filter.length + jumps.nat.length,
      text,
    };
    const natTotal = rules.natTopRules.length + rules.natServiceRules.length;
    const natWritten = (natTop ? natTotal : rules.natServiceRules.length) + stale.length;
    return {
      ruleCounts: {
        iptables_filter: rules.filterRules.length,
        iptables_nat: natTotal + rules.skippedNatRules,
        iptables_nat_last_sync: text ? natWritten : 0,
        iptables_deleted_chains: stale.length,
      },
    };
  }

  /** Fallback when iptables-save fails: upstream's per-jump `iptables -C`. */
  private async jumpsByCheck(rules: ReturnType<typeof assembleRuleSet>): Promise<{ filter: string[]; nat: string[] }> {
    const missing: JumpRule[] = [];
    for (const j of JUMP_RULES.filter((j) => declared(rules, j))) {
      const check = await this.run(['iptables', '-w', '-t', j.table, '-C', j.srcChain, ...j.args]);
      if (check.code !== 0) missing.push(j);
    }
    return jumpInsertLines(missing);
  }
}

/** The jump's target chain is declared in this restore: the nat ones always are, KUBE-FIREWALL only with localhost NodePorts. */
function declared(rules: ReturnType<typeof assembleRuleSet>, j: JumpRule): boolean {
  const line = `:${j.args[j.args.length - 1]} - [0:0]`;
  return j.table === 'nat' || rules.filterChains.includes(line);
}

/** A copy of the UDP part of the model: conntrack cleanup compares it with the next sync's. */
function udpOnly(services: ServicePortMap, endpoints: EndpointsMap): { services: ServicePortMap; endpoints: EndpointsMap } {
  const out = { services: new Map() as ServicePortMap, endpoints: new Map() as EndpointsMap };
  for (const [name, svc] of services) {
    if (svc.protocol !== 'UDP') continue;
    out.services.set(name, svc);
    const eps = endpoints.get(name);
    if (eps) out.endpoints.set(name, eps);
  }
  return out;
}

function sameLines(a: string[] | undefined, b: string[]): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** upstream EnsureChain + EnsureRule(Prepend) for each jump from a built-in chain. */
export async function ensureJumpRules(run: CommandRunner, rules: JumpRule[]): Promise<void> {
  for (const j of rules) {
    const dst = j.args[j.args.length - 1]!;
    await run(['iptables', '-w', '-t', j.table, '-N', dst]); // exists already: fine
    const check = await run(['iptables', '-w', '-t', j.table, '-C', j.srcChain, ...j.args]);
    if (check.code !== 0) await mustRun(run, ['iptables', '-w', '-t', j.table, '-I', j.srcChain, ...j.args]);
  }
}

/** Chain names declared in iptables-save output (":NAME POLICY [p:b]"), of one table or all. */
export function chainsInSave(save: string, table?: string): string[] {
  const out: string[] = [];
  let current: string | undefined;
  for (const l of save.split('\n')) {
    if (l.startsWith('*')) current = l.slice(1).trim();
    else if (l.startsWith(':') && (table === undefined || current === table)) out.push(l.slice(1).split(' ')[0]!);
  }
  return out;
}

/** "line N failed" → the lines around N, numbered, so the log shows what iptables rejected. */
export function failureContext(text: string, stderr: string): string {
  const m = /line:? (\d+)/i.exec(stderr);
  if (!m) return '';
  const n = Number(m[1]);
  const lines = text.split('\n');
  const from = Math.max(1, n - CONTEXT_LINES);
  const to = Math.min(lines.length, n + CONTEXT_LINES);
  const shown: string[] = [];
  for (let i = from; i <= to; i++) shown.push(`${i === n ? '>' : ' '}${String(i).padStart(6)}: ${lines[i - 1]}`);
  return `\n${shown.join('\n')}`;
}

export async function setSysctl(run: CommandRunner, log: Logger, key: string, value: string, required: boolean): Promise<void> {
  const r = await run(['sysctl', '-q', '-w', `${key}=${value}`]);
  if (r.code === 0) return;
  if (required) throw new Error(`cannot set sysctl ${key}=${value}: ${r.stderr.trim()}`);
  log.warn({ sysctl: key, err: r.stderr.trim() }, 'cannot set sysctl');
}

/**
 * UDP has no connection end: conntrack keeps sending a client's datagrams to a removed endpoint
 * (or keeps a REJECT for a Service that just got endpoints) until its entry is deleted
 * (upstream pkg/proxy/conntrack/cleanup.go).
 */
export function staleUdpConntrackCommands(prevServices: ServicePortMap, prevEndpoints: EndpointsMap, services: ServicePortMap, endpoints: EndpointsMap): string[][] {
  const cmds: string[][] = [];
  for (const [name, svc] of prevServices) {
    if (svc.protocol !== 'UDP') continue;
    const now = new Set((endpoints.get(name) ?? []).filter((e) => e.ready).map((e) => e.ip));
    for (const ep of prevEndpoints.get(name) ?? []) {
      if (!now.has(ep.ip)) cmds.push(['conntrack', '-D', '--orig-dst', svc.clusterIP, '--dst-nat', ep.ip, '-p', 'udp']);
    }
  }
  for (const [name, svc] of services) {
    if (svc.protocol !== 'UDP') continue;
    const had = prevServices.has(name) && categorizeEndpoints(prevEndpoints.get(name) ?? [], svc).hasAnyEndpoints;
    const has = categorizeEndpoints(endpoints.get(name) ?? [], svc).hasAnyEndpoints;
    if (!had && has) cmds.push(['conntrack', '-D', '--orig-dst', svc.clusterIP, '-p', 'udp']);
  }
  return cmds;
}

export async function clearUdpConntrack(run: CommandRunner, log: Logger, ...maps: [ServicePortMap, EndpointsMap, ServicePortMap, EndpointsMap]): Promise<void> {
  for (const cmd of staleUdpConntrackCommands(...maps)) {
    const r = await run(cmd);
    // conntrack exits 1 when nothing matched ("0 flow entries have been deleted").
    if (r.code !== 0 && !/0 flow entries/.test(r.stderr)) log.warn({ cmd: cmd.join(' '), err: r.stderr.trim() }, 'conntrack cleanup failed');
  }
}
