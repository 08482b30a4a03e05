// A metav1.LabelSelector from kubernetes-types as the API package's selector requirements.
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { type LabelRequirement, type LabelSelectorObject, matchesLabels, selectorRequirements } from '../../api/selectors.ts';

export function selectorReqs(sel: LabelSelector | undefined): LabelRequirement[] {
  return selectorRequirements(sel as LabelSelectorObject | undefined);
}

/** True when a non-empty selector matches the labels (an empty one selects nothing for controllers). */
export function selects(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  return reqs.length > 0 && matchesLabels(reqs, labels);
}
