// nftables mode: applies nftablesRules.ts state with one `nft -f` per sync. A full sync
// (start-up, after a failure) replaces the whole table; later syncs send only the difference
// from the last state that was applied successfully.
import { setSysctl } from '../iptables/iptablesProxier.ts';
import type { CommandRunner } from '../exec.ts';
import type { Logger, ProxyBackend, ProxyConfig, SyncInput, SyncResult } from '../types.ts';
import { countRules, generateNftState, type NftState } from './nftablesRules.ts';
import { renderFullTransaction, renderPartialTransaction } from './nftablesTransaction.ts';

export class NftablesProxier implements ProxyBackend {
  readonly mode = 'nftables' as const;
  private applied: NftState | undefined;

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
    const next = generateNftState(input.services, input.endpoints, this.cfg);
    const full = input.full || !this.applied;
    const text = full ? renderFullTransaction(this.cfg, next) : renderPartialTransaction(this.applied!, next, input.changedServices);
    if (text) {
      const r = await this.run(['nft', '-f', '-'], { input: text });
      if (r.code !== 0) {
        this.applied = undefined;
        throw new Error(`nft -f failed: ${r.stderr.trim()}`);
      }
    }
    this.applied = next;
    return { ruleCounts: { nftables_rules: countRules(next), nftables_chains: next.chains.size, nftables_transaction_lines: text ? text.split('\n').length - 1 : 0 } };
  }
}
