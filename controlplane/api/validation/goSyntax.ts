// Go's %#v rendering of the few structs whose text users meet in famous error messages, such as
// `spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web"},
// MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable`.

import { goStringMap, goStringSlice } from './causes.ts';
import { isObject } from './shape.ts';

function stringMapOf(v: unknown): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) out[k] = String(x);
  return out;
}

/** v1.LabelSelector{MatchLabels:..., MatchExpressions:...} for a selector given as JSON. */
export function labelSelectorGoSyntax(sel: unknown): string {
  if (!isObject(sel)) return '(*v1.LabelSelector)(nil)';
  const labels = goStringMap(stringMapOf(sel.matchLabels));
  let exprs = '[]v1.LabelSelectorRequirement(nil)';
  if (Array.isArray(sel.matchExpressions)) {
    const items = sel.matchExpressions.map((e) => {
      const r = isObject(e) ? e : {};
      const values = Array.isArray(r.values) ? r.values.map(String) : undefined;
      return `v1.LabelSelectorRequirement{Key:${JSON.stringify(String(r.key ?? ''))}, Operator:${JSON.stringify(String(r.operator ?? ''))}, Values:${goStringSlice(values)}}`;
    });
    exprs = `[]v1.LabelSelectorRequirement{${items.join(', ')}}`;
  }
  return `v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${exprs}}`;
}
