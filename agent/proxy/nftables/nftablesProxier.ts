// nftables mode: applies nftablesRules.ts state with one `nft -f` per sync (upstream
// pkg/proxy/nftables/proxier.go). A full sync (start-up, after a failure, periodically)
// regenerates every service port and replaces the whole table in one transaction. A partial
// sync regenerates only the ports of Services the change trackers reported and sends the
// difference between their old and new state: their chains flushed and rewritten, their map
// and set elements added or deleted, their stale chains and sets removed — every other
// Service's chains and elements stay as the kernel has them (upstream's "only changed chains").
import { setSysctl } from '../iptables/iptablesProxier.ts';
import type { CommandRunner } from '../exec.ts';
import type { Logger, ProxyBackend, ProxyConfig, SyncInput, SyncResult } from '../types.ts';
import { mergeStates, servicePortState, type NftState } from './nftablesRules.ts';
import { renderFullTransaction, renderPartialTransaction } from './nftablesTransaction.ts';

/** What a sync sent, for tests and the benchmark. */
export interface NftablesSyncReport {
  full: boolean;
  /** Service ports regenerated. */
  writtenPorts: number;
  /** The transaction ('' = no nft was run). */
  text: string;
}

export class NftablesProxier implements ProxyBackend {
  readonly mode = 'nftables' as const;
  /** Service port name → its state as last applied; empty until the first successful sync. */
  private readonly ports = new Map<string, NftState>();
  private applied = false;
  private sortedNames: string[] | undefined;
  lastReport: NftablesSyncReport | undefined;

  constructor(
    private readonly cfg: ProxyConfig,
    private readonly run: CommandRunner,
    private readonly log: Logger,
  ) {}

  async setup(): Promise<void> {
    await setSysctl(this.run, this.log, 'net.bridge.bridge-nf-call-iptables', '1', false);
    await setSysctl(this.run, this.log, 'net.ipv4.ip_forward', '1', false);
  }

  async sync(input: SyncInput): Promise<SyncResult> {
    const { services, endpoints } = input;
    const full = input.full || !this.applied;
    const replaced: NftState[] = [];
    for (const [name, st] of this.ports) {
      if (full || !services.has(name) || input.changedServices.has(serviceOfPort(name))) {
        replaced.push(st);
        this.ports.delete(name);
        this.sortedNames = undefined;
      }
    }
    const written: NftState[] = [];
    for (const [name, svc] of services) {
      if (this.ports.has(name)) continue;
      const st = servicePortState(svc, endpoints.get(name) ?? [], this.cfg);
      this.ports.set(name, st);
      written.push(st);
      this.sortedNames = undefined;
    }
    this.sortedNames ??= [...this.ports.keys()].sort();
    const text = full
      ? renderFullTransaction(this.cfg, mergeStates(this.sortedNames.map((n) => this.ports.get(n)!)))
      : renderPartialTransaction(mergeStates(replaced), mergeStates(written), input.changedServices);
    if (text) {
      const r = await this.run(['nft', '-f', '-'], { input: text });
      if (r.code !== 0) {
        // The kernel may hold some of this transaction's state or none: rebuild it whole next time.
        this.applied = false;
        this.ports.clear();
        this.sortedNames = undefined;
        throw new Error(`nft -f failed: ${r.stderr.trim()}`);
      }
    }
    this.applied = true;
    this.lastReport = { full, writtenPorts: written.length, text };
    let rules = 0;
    let chains = 0;
    for (const st of this.ports.values()) {
      chains += st.chains.size;
      for (const r of st.chains.values()) rules += r.length;
    }
    return { ruleCounts: { nftables_rules: rules, nftables_chains: chains, nftables_transaction_lines: text ? text.split('\n').length - 1 : 0 } };
  }
}

/** "ns/svc:port" → "ns/svc" (neither namespace nor Service names may hold a colon). */
function serviceOfPort(portName: string): string {
  const i = portName.indexOf(':');
  return i < 0 ? portName : portName.slice(0, i);
}
