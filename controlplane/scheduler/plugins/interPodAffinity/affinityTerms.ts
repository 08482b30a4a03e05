// Pod (anti-)affinity terms in the form the plugin evaluates them (framework/types.go
// AffinityTerm): a label selector, the namespaces it looks in, and the topology key whose value
// groups nodes into one domain (a node by kubernetes.io/hostname, a zone by topology.kubernetes.io/zone).
import type { Pod, PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { matchesLabels, selectorRequirements, type LabelRequirement, type LabelSelectorObject } from '../../../api/selectors.ts';
import type { ClusterView } from '../../framework/interface.ts';

export interface AffinityTerm {
  /** undefined: a term without labelSelector, which matches no pod. */
  selector: LabelRequirement[] | undefined;
  namespaces: Set<string>;
  /** undefined: no namespaceSelector; [] (from {}): every namespace. */
  namespaceSelector: LabelRequirement[] | undefined;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

/** Turns an API term into an AffinityTerm; matchLabelKeys / mismatchLabelKeys take values from the owning pod. */
export function toAffinityTerm(owner: Pod, t: PodAffinityTerm): AffinityTerm {
  let selector = t.labelSelector ? selectorRequirements(t.labelSelector as LabelSelectorObject) : undefined;
  const labels = owner.metadata?.labels ?? {};
  if (selector) {
    for (const k of t.matchLabelKeys ?? []) if (k in labels) selector = [...selector, { key: k, op: 'in', values: [labels[k]!] }];
    for (const k of t.mismatchLabelKeys ?? []) if (k in labels) selector = [...selector, { key: k, op: 'notin', values: [labels[k]!] }];
  }
  const namespaces = new Set(t.namespaces ?? []);
  if (namespaces.size === 0 && !t.namespaceSelector) namespaces.add(owner.metadata?.namespace ?? 'default');
  return {
    selector,
    namespaces,
    namespaceSelector: t.namespaceSelector ? selectorRequirements(t.namespaceSelector as LabelSelectorObject) : undefined,
    topologyKey: t.topologyKey,
  };
}

export function termMatches(term: AffinityTerm, pod: Pod, view: ClusterView): boolean {
  if (!term.selector) return false;
  const ns = pod.metadata?.namespace ?? 'default';
  const inNamespace =
    term.namespaces.has(ns) || (term.namespaceSelector !== undefined && matchesLabels(term.namespaceSelector, view.namespace(ns)?.metadata?.labels));
  return inNamespace && matchesLabels(term.selector, pod.metadata?.labels);
}

interface PodTerms {
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: WeightedAffinityTerm[];
  preferredAntiAffinity: WeightedAffinityTerm[];
}

const NO_TERMS: PodTerms = Object.freeze({ requiredAffinity: [], requiredAntiAffinity: [], preferredAffinity: [], preferredAntiAffinity: [] });

// Pod objects from the informer are never changed in place, so a pod's terms are parsed once
// (upstream parses them into its PodInfo when the pod enters the cache).
const parsedTerms = new WeakMap<Pod, PodTerms>();

function termsOf(pod: Pod): PodTerms {
  const a = pod.spec?.affinity;
  if (!a?.podAffinity && !a?.podAntiAffinity) return NO_TERMS;
  let t = parsedTerms.get(pod);
  if (!t) {
    const weighted = (w: { weight: number; podAffinityTerm: PodAffinityTerm }) => ({ ...toAffinityTerm(pod, w.podAffinityTerm), weight: w.weight });
    t = {
      requiredAffinity: (a.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((x) => toAffinityTerm(pod, x)),
      requiredAntiAffinity: (a.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((x) => toAffinityTerm(pod, x)),
      preferredAffinity: (a.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(weighted),
      preferredAntiAffinity: (a.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(weighted),
    };
    parsedTerms.set(pod, t);
  }
  return t;
}

export const requiredAffinityTerms = (pod: Pod): AffinityTerm[] => termsOf(pod).requiredAffinity;
export const requiredAntiAffinityTerms = (pod: Pod): AffinityTerm[] => termsOf(pod).requiredAntiAffinity;
export const preferredAffinityTerms = (pod: Pod): WeightedAffinityTerm[] => termsOf(pod).preferredAffinity;
export const preferredAntiAffinityTerms = (pod: Pod): WeightedAffinityTerm[] => termsOf(pod).preferredAntiAffinity;

/** Counts per topology domain; the key joins topologyKey and value. */
export class TopologyCounts {
  private readonly m = new Map<string, number>();
  add(key: string, value: string, n: number): void {
    const k = `${key}\u0000${value}`;
    this.m.set(k, (this.m.get(k) ?? 0) + n);
  }
  get(key: string, value: string): number {
    return this.m.get(`${key}\u0000${value}`) ?? 0;
  }
  get size(): number {
    return this.m.size;
  }
}
