// IPVS mode: applies ipvsRules.ts. Virtual servers are replaced wholesale with `ipvsadm -C` +
// `ipvsadm-restore` (upstream diffs them one by one through netlink; a restore keeps this small),
// kube-ipvs0's addresses are reconciled, and the ipsets and iptables rules for masquerading
// are reloaded.
import { mustRun, type CommandRunner } from '../exec.ts';
import { ensureJumpRules, setSysctl } from '../iptables/iptablesProxier.ts';
import { JUMP_RULES } from '../iptables/iptablesRules.ts';
import type { Logger, ProxyBackend, ProxyConfig, SyncInput, SyncResult } from '../types.ts';
import { IPVS_DUMMY_INTERFACE, generateIpvsRules } from './ipvsRules.ts';

export class IpvsProxier implements ProxyBackend {
  readonly mode = 'ipvs' as const;

  constructor(
    private readonly cfg: ProxyConfig,
    private readonly run: CommandRunner,
    private readonly log: Logger,
    private readonly scheduler?: string,
  ) {}

  async setup(): Promise<void> {
    // upstream sets these for IPVS: conntrack so iptables masquerade sees IPVS traffic.
    await setSysctl(this.run, this.log, 'net.ipv4.vs.conntrack', '1', true);
    await setSysctl(this.run, this.log, 'net.ipv4.ip_forward', '1', false);
    const link = await this.run(['ip', 'link', 'show', IPVS_DUMMY_INTERFACE]);
    if (link.code !== 0) await mustRun(this.run, ['ip', 'link', 'add', IPVS_DUMMY_INTERFACE, 'type', 'dummy']);
    await ensureJumpRules(this.run, JUMP_RULES.filter((j) => j.table === 'nat'));
  }

  async sync(input: SyncInput): Promise<SyncResult> {
    const rs = generateIpvsRules(input.services, input.endpoints, this.cfg, this.scheduler);
    await mustRun(this.run, ['ipset', 'restore', '-exist'], rs.ipset);
    await mustRun(this.run, ['iptables-restore', '--noflush'], rs.iptables);
    await mustRun(this.run, ['ipvsadm', '-C']);
    await mustRun(this.run, ['ipvsadm-restore'], rs.ipvsadm);
    const have = new Set(
      (await mustRun(this.run, ['ip', '-4', '-o', 'addr', 'show', 'dev', IPVS_DUMMY_INTERFACE]))
        .split('\n')
        .map((l) => /inet (\S+)\/32/.exec(l)?.[1])
        .filter((a): a is string => !!a),
    );
    for (const a of rs.addresses) if (!have.has(a)) await mustRun(this.run, ['ip', 'addr', 'add', `${a}/32`, 'dev', IPVS_DUMMY_INTERFACE]);
    for (const a of have) if (!rs.addresses.includes(a)) await this.run(['ip', 'addr', 'del', `${a}/32`, 'dev', IPVS_DUMMY_INTERFACE]);
    return { ruleCounts: { ipvs_virtual_servers: rs.virtualServers } };
  }
}
