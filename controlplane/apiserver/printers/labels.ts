// Labels and label selectors as text, the way the printers show them in SELECTOR and
// NODE SELECTOR columns: apimachinery labels.FormatLabels, metav1.LabelSelectorAsSelector(...)
// .String() and metav1.FormatLabelSelector.

import type { LabelSelector, LabelSelectorRequirement } from 'kubernetes-types/meta/v1.js';

/** "a=b,c=d" with keys sorted; "<none>" for no labels (labels.FormatLabels). */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

function requirementString(r: LabelSelectorRequirement): string | undefined {
  const values = [...(r.values ?? [])].sort();
  switch (r.operator) {
    case 'In':
      return values.length === 0 ? undefined : `${r.key} in (${values.join(',')})`;
    case 'NotIn':
      return values.length === 0 ? undefined : `${r.key} notin (${values.join(',')})`;
    case 'Exists':
      return values.length === 0 ? r.key : undefined;
    case 'DoesNotExist':
      return values.length === 0 ? `!${r.key}` : undefined;
    default:
      return undefined;
  }
}

/**
 * The selector string of a LabelSelector: requirements sorted by key and joined by ",".
 * An unset or empty selector is "" (labels.Nothing / labels.Everything both print empty).
 * Returns undefined when the selector is invalid (an unknown operator, or values that do not
 * fit the operator), as LabelSelectorAsSelector returns an error.
 */
export function labelSelectorString(selector: LabelSelector | undefined | null): string | undefined {
  if (!selector) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    reqs.push({ key, text: `${key}=${value}` });
  }
  for (const expr of selector.matchExpressions ?? []) {
    const text = requirementString(expr);
    if (text === undefined) return undefined;
    reqs.push({ key: expr.key, text });
  }
  // Array.prototype.sort is stable, so matchLabels stay ahead of expressions on the same key.
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: the selector string, "<none>" when empty, "<error>" when invalid. */
export function formatLabelSelector(selector: LabelSelector | undefined | null): string {
  const text = labelSelectorString(selector);
  if (text === undefined) return '<error>';
  return text === '' ? '<none>' : text;
}
