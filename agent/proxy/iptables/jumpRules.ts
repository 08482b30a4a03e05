// The jumps from the built-in chains (PREROUTING, INPUT, ...) into ours, ensured in the sync's
// own iptables-restore instead of by separate commands.
//
// Upstream (pkg/proxy/iptables/proxier.go, full syncs only) runs EnsureChain and EnsureRule for
// each jump: `iptables -N`, `iptables -C`, and `iptables -I` when the check fails — about 30
// invocations, each of which loads the whole ruleset with iptables-nft (~150 ms each here). It
// does not put them in the restore input because declaring a built-in chain there (":INPUT ...")
// would flush it, and the rules other programs keep in INPUT or PREROUTING would be lost.
//
// Here a full sync reads the tables once with `iptables-save` (which it runs anyway to find
// stale chains), and the jumps that are missing become `-I CHAIN ...` lines in the same
// `iptables-restore --noflush`: a built-in chain that is not declared is not flushed, and the
// chains, their rules and the jumps into them are committed together. Partial syncs skip this,
// as upstream does (the jumps only vanish when someone flushes the tables, and then the periodic
// full sync restores them).
import type { JumpRule } from './iptablesRules.ts';

/** The rule as iptables-save prints it and iptables-restore reads it ("-A SRC ... -j DST"). */
export function jumpRuleText(j: JumpRule, op: '-A' | '-I' = '-A'): string {
  const args = j.args.map((a, i) => (j.args[i - 1] === '--comment' && /[\s"]/.test(a) ? `"${a}"` : a));
  return [op, j.srcChain, ...args].join(' ');
}

/** "-A" lines of each table in iptables-save output. */
export function rulesBySaveTable(save: string): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) tables.set(line.slice(1).trim(), (current = []));
    else if (line.startsWith('-A ') && current) current.push(line);
  }
  return tables;
}

/**
 * The jumps missing from a saved ruleset. A jump counts as present when its source chain has a
 * rule with the same target and comment (what `iptables -C` would find, without depending on
 * how this iptables version orders the matches it prints).
 */
export function missingJumps(save: string, rules: JumpRule[]): JumpRule[] {
  const tables = rulesBySaveTable(save);
  return rules.filter((j) => {
    const target = ` -j ${j.args[j.args.length - 1]}`;
    const ci = j.args.indexOf('--comment');
    const comment = ci >= 0 ? j.args[ci + 1]! : undefined;
    const present = (tables.get(j.table) ?? []).some(
      (l) => l.startsWith(`-A ${j.srcChain} `) && (l.endsWith(target) || l.includes(`${target} `)) && (comment === undefined || l.includes(comment)),
    );
    return !present;
  });
}

/** The restore lines that insert the missing jumps, per table (upstream prepends them). */
export function jumpInsertLines(missing: JumpRule[]): { filter: string[]; nat: string[] } {
  return {
    filter: missing.filter((j) => j.table === 'filter').map((j) => jumpRuleText(j, '-I')),
    nat: missing.filter((j) => j.table === 'nat').map((j) => jumpRuleText(j, '-I')),
  };
}
