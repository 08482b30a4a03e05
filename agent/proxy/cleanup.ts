// Removes every mode's rules (upstream `kube-proxy --cleanup` and CleanupLeftovers). Run at
// start for the modes not in use, so switching --proxy-mode leaves no stale rules behind.
import type { CommandRunner } from './exec.ts';
import { TABLE } from './nftables/nftablesRules.ts';
import { IPVS_DUMMY_INTERFACE } from './ipvs/ipvsRules.ts';
import type { Logger, ProxyMode } from './types.ts';

// Chains this proxy owns in each table (iptables and the iptables part of IPVS mode).
const OWN_CHAIN = /^KUBE-(SERVICES|EXTERNAL-SERVICES|NODEPORTS|NODE-PORT|POSTROUTING|MARK-MASQ|FORWARD|PROXY-FIREWALL|FIREWALL|(SVC|SVL|EXT|FW|SEP)-[A-Z2-7]{16})$/;
const IPSETS = ['KUBE-CLUSTER-IP', 'KUBE-LOOP-BACK', 'KUBE-NODE-PORT-TCP', 'KUBE-NODE-PORT-UDP'];

/** Splits an iptables-save rule line into arguments, honouring double quotes. */
export function splitRuleArgs(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return out;
}

/**
 * From iptables-save output: the `iptables -D` commands for rules in other chains that jump to
 * ours, and the restore input that flushes and deletes our chains.
 */
export function iptablesCleanupPlan(save: string): { deletes: string[][]; restore: string } {
  const deletes: string[][] = [];
  const restore: string[] = [];
  let table = '';
  let own: string[] = [];
  const flushTable = () => {
    if (table && own.length) restore.push(`*${table}`, ...own.map((c) => `:${c} - [0:0]`), ...own.map((c) => `-X ${c}`), 'COMMIT');
  };
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) {
      flushTable();
      table = line.slice(1).trim();
      own = [];
    } else if (line.startsWith(':')) {
      const chain = line.slice(1).split(' ')[0]!;
      if (OWN_CHAIN.test(chain)) own.push(chain);
    } else if (line.startsWith('-A ')) {
      const args = splitRuleArgs(line);
      const chain = args[1]!;
      const target = args[args.indexOf('-j') + 1] ?? '';
      if (!OWN_CHAIN.test(chain) && OWN_CHAIN.test(target)) deletes.push(['iptables', '-w', '-t', table, '-D', chain, ...args.slice(2)]);
    }
  }
  flushTable();
  return { deletes, restore: restore.length ? restore.join('\n') + '\n' : '' };
}

export async function cleanupIptables(run: CommandRunner, log: Logger): Promise<void> {
  const save = await run(['iptables-save']);
  if (save.code !== 0) {
    log.warn({ err: save.stderr.trim() }, 'iptables-save failed: iptables rules not cleaned up');
    return;
  }
  const plan = iptablesCleanupPlan(save.stdout);
  for (const d of plan.deletes) await run(d);
  if (plan.restore) {
    const r = await run(['iptables-restore', '--noflush'], { input: plan.restore });
    if (r.code !== 0) log.warn({ err: r.stderr.trim() }, 'removing iptables chains failed');
  }
}

export async function cleanupNftables(run: CommandRunner): Promise<void> {
  // "add" first so "delete" cannot fail when the table is absent.
  await run(['nft', '-f', '-'], { input: `add table ${TABLE}\ndelete table ${TABLE}\n` });
}

export async function cleanupIpvs(run: CommandRunner): Promise<void> {
  await run(['ipvsadm', '-C']);
  await run(['ip', 'link', 'del', IPVS_DUMMY_INTERFACE]);
  for (const s of IPSETS) await run(['ipset', 'destroy', s]);
}

/** Cleans the given modes (default: all). Missing tools or kernel support are not errors. */
export async function cleanupModes(run: CommandRunner, log: Logger, modes: ProxyMode[] = ['iptables', 'nftables', 'ipvs']): Promise<void> {
  // IPVS mode's masquerade rules are iptables rules: cleaning ipvs also cleans iptables.
  if (modes.includes('iptables') || modes.includes('ipvs')) await cleanupIptables(run, log);
  if (modes.includes('nftables')) await cleanupNftables(run);
  if (modes.includes('ipvs')) await cleanupIpvs(run);
  log.info({ modes }, 'removed proxy rules');
}
