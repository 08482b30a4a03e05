// One `nft -f` transaction per sync (upstream pkg/proxy/nftables/proxier.go). A full sync
// deletes and redefines the whole table in the same transaction — atomic for packets. A partial
// sync rewrites only changed Services' chains (add + flush + rules), diffs map and set elements
// instead of flushing them, and removes chains and sets nothing uses any more, in an order
// where nothing is deleted while still referenced.
import type { ProxyConfig } from '../types.ts';
import { ELEMENT_MAPS, TABLE, baseRules, type NftState } from './nftablesRules.ts';

export function renderFullTransaction(cfg: ProxyConfig, st: NftState): string {
  // "add table" first so "delete table" cannot fail on a node that has none yet.
  const lines = [`add table ${TABLE}`, `delete table ${TABLE}`, ...baseRules(cfg)];
  for (const [name, body] of st.sets) lines.push(`add set ${TABLE} ${name} ${body}`);
  // Every chain exists before any rule jumps to it.
  for (const name of st.chains.keys()) lines.push(`add chain ${TABLE} ${name}`);
  for (const [name, rules] of st.chains) for (const r of rules) lines.push(`add rule ${TABLE} ${name} ${r}`);
  for (const m of ELEMENT_MAPS) for (const [k, v] of st.elements[m]) lines.push(addElement(m, k, v));
  return lines.join('\n') + '\n';
}

export function renderPartialTransaction(prev: NftState, next: NftState, changedServices: Set<string>): string {
  const lines: string[] = [];
  for (const [name, body] of next.sets) if (!prev.sets.has(name)) lines.push(`add set ${TABLE} ${name} ${body}`);
  const rewrite = [...next.chains].filter(
    ([name, rules]) => !prev.chains.has(name) || changedServices.has(next.owner.get(name)!) || !sameRules(prev.chains.get(name)!, rules),
  );
  for (const [name] of rewrite) lines.push(`add chain ${TABLE} ${name}`, `flush chain ${TABLE} ${name}`);
  for (const [name, rules] of rewrite) for (const r of rules) lines.push(`add rule ${TABLE} ${name} ${r}`);
  for (const m of ELEMENT_MAPS) {
    for (const [k, v] of prev.elements[m]) {
      if (next.elements[m].get(k) !== v) lines.push(`delete element ${TABLE} ${m} { ${stripComment(k)} }`);
    }
  }
  for (const m of ELEMENT_MAPS) {
    for (const [k, v] of next.elements[m]) {
      if (prev.elements[m].get(k) !== v) lines.push(addElement(m, k, v));
    }
  }
  const staleChains = [...prev.chains.keys()].filter((c) => !next.chains.has(c));
  for (const c of staleChains) lines.push(`flush chain ${TABLE} ${c}`);
  for (const c of staleChains) lines.push(`delete chain ${TABLE} ${c}`);
  for (const s of prev.sets.keys()) if (!next.sets.has(s)) lines.push(`delete set ${TABLE} ${s}`);
  return lines.length ? lines.join('\n') + '\n' : '';
}

function addElement(m: string, key: string, value: string): string {
  return `add element ${TABLE} ${m} { ${key}${value ? ` : ${value}` : ''} }`;
}

/** Element keys may carry a comment; delete takes the bare key. */
function stripComment(key: string): string {
  return key.replace(/ comment ".*"$/, '');
}

function sameRules(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}
