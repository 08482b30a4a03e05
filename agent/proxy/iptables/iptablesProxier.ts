// iptables mode: applies what iptablesRules.ts generates (upstream pkg/proxy/iptables/proxier.go).
// One `iptables-restore --noflush` per sync, so other programs' rules stay and ours change
// atomically. A full sync (start-up, after any failure) also ensures the jump rules from the
// built-in chains and finds stale chains with iptables-save; a partial sync rewrites only the
// chains of Services that changed and deletes the chains the last sync had but this one has not.
import { categorizeEndpoints } from '../categorizeEndpoints.ts';
import { mustRun, type CommandRunner } from '../exec.ts';
import { IPTABLES_SERVICE_CHAIN } from '../chainNames.ts';
import type { EndpointsMap, Logger, ProxyBackend, ProxyConfig, ServicePortMap, SyncInput, SyncResult } from '../types.ts';
import { JUMP_RULES, generateIptablesRules, renderRestoreInput, type JumpRule } from './iptablesRules.ts';

// Lines shown either side of the line iptables-restore rejects (upstream ExtractLines uses 3).
const CONTEXT_LINES = 3;

export class IptablesProxier implements ProxyBackend {
  readonly mode = 'iptables' as const;
  private lastActiveChains = new Set<string>();
  private lastServices: ServicePortMap = new Map();
  private lastEndpoints: EndpointsMap = new Map();

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
    if (input.full) await this.ensureJumpRules();
    const rules = generateIptablesRules(input.services, input.endpoints, this.cfg, { full: input.full, changedServices: input.changedServices });

    const existing = input.full ? await this.existingServiceChains() : this.lastActiveChains;
    const stale = [...existing].filter((c) => !rules.activeNatChains.has(c)).sort();
    const text = renderRestoreInput(rules, stale);
    const r = await this.run(['iptables-restore', '--noflush', '--counters'], { input: text });
    if (r.code !== 0) {
      throw new Error(`iptables-restore failed: ${r.stderr.trim()}${failureContext(text, r.stderr)}`);
    }
    this.lastActiveChains = rules.activeNatChains;
    await clearUdpConntrack(this.run, this.log, this.lastServices, this.lastEndpoints, input.services, input.endpoints);
    this.lastServices = input.services;
    this.lastEndpoints = input.endpoints;
    return {
      ruleCounts: {
        iptables_filter: rules.filterRules.length,
        iptables_nat: rules.natRules.length + rules.skippedNatRules,
        iptables_nat_last_sync: rules.natRules.length,
        iptables_deleted_chains: stale.length,
      },
    };
  }

  private async ensureJumpRules(): Promise<void> {
    await ensureJumpRules(this.run, JUMP_RULES);
  }

  private async existingServiceChains(): Promise<Set<string>> {
    const r = await this.run(['iptables-save', '-t', 'nat']);
    if (r.code !== 0) {
      this.log.error({ err: r.stderr.trim() }, 'iptables-save failed: stale chains will not be deleted');
      return new Set();
    }
    return new Set(chainsInSave(r.stdout).filter((c) => IPTABLES_SERVICE_CHAIN.test(c)));
  }
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

/** Chain names declared in iptables-save output (":NAME POLICY [p:b]"). */
export function chainsInSave(save: string): string[] {
  return save.split('\n').filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]!);
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
