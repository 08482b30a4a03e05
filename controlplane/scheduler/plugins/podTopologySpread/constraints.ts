// Topology spread constraints as the plugin evaluates them (plugins/podtopologyspread/common.go):
// the pod's own constraints, or — when it has none — the system defaults (spread over nodes with
// maxSkew 3 and over zones with maxSkew 5, ScheduleAnyway) keyed on the pods of the same
// Service / ReplicaSet / StatefulSet (plugins/helper/spread.go DefaultSelector). This is what
// spreads a Deployment's replicas across workers.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { matchesLabels, selectorRequirements, type LabelRequirement, type LabelSelectorObject } from '../../../api/selectors.ts';
import type { ClusterView } from '../../framework/interface.ts';
import { podMatchesNodeSelectorAndAffinity } from '../helper/nodeSelector.ts';
import { findUntoleratedTaint } from '../helper/taints.ts';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelRequirement[];
  minDomains: number;
  nodeAffinityPolicy: 'Honor' | 'Ignore';
  nodeTaintsPolicy: 'Honor' | 'Ignore';
}

export function podConstraints(pod: Pod, when: 'DoNotSchedule' | 'ScheduleAnyway'): SpreadConstraint[] {
  const labels = pod.metadata?.labels ?? {};
  return (pod.spec?.topologySpreadConstraints ?? [])
    .filter((c) => c.whenUnsatisfiable === when)
    .map((c) => {
      // A constraint without labelSelector matches no pod: it spreads nothing but still needs the key.
      let selector: LabelRequirement[] = c.labelSelector ? selectorRequirements(c.labelSelector as LabelSelectorObject) : [{ key: '', op: 'in', values: [] }];
      for (const k of c.matchLabelKeys ?? []) if (k in labels) selector = [...selector, { key: k, op: 'in', values: [labels[k]!] }];
      return {
        maxSkew: c.maxSkew,
        topologyKey: c.topologyKey,
        selector,
        minDomains: c.minDomains ?? 1,
        nodeAffinityPolicy: (c.nodeAffinityPolicy as 'Honor' | 'Ignore' | undefined) ?? 'Honor',
        nodeTaintsPolicy: (c.nodeTaintsPolicy as 'Honor' | 'Ignore' | undefined) ?? 'Ignore',
      };
    });
}

/** The selector of the Services and the controlling ReplicaSet / StatefulSet of the pod; [] if none. */
export function defaultSelector(pod: Pod, view: ClusterView): LabelRequirement[] {
  const ns = pod.metadata?.namespace ?? 'default';
  const labels = pod.metadata?.labels ?? {};
  const merged: Record<string, string> = {};
  for (const svc of view.services(ns)) {
    const sel = svc.spec?.selector;
    if (sel && Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels[k] === v)) Object.assign(merged, sel);
  }
  const reqs: LabelRequirement[] = Object.entries(merged).map(([key, v]) => ({ key, op: '=', values: [v] }));
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller);
  if (owner && owner.apiVersion === 'apps/v1') {
    const ctrl =
      owner.kind === 'ReplicaSet' ? view.replicaSets(ns).find((r) => r.metadata?.name === owner.name)
      : owner.kind === 'StatefulSet' ? view.statefulSets(ns).find((s) => s.metadata?.name === owner.name)
      : undefined;
    if (ctrl?.spec?.selector) reqs.push(...selectorRequirements(ctrl.spec.selector as LabelSelectorObject));
  }
  return reqs;
}

// plugins/podtopologyspread/plugin.go systemDefaultConstraints
export function systemDefaultConstraints(pod: Pod, view: ClusterView): SpreadConstraint[] {
  const selector = defaultSelector(pod, view);
  if (selector.length === 0) return [];
  const base = { selector, minDomains: 1, nodeAffinityPolicy: 'Honor', nodeTaintsPolicy: 'Ignore' } as const;
  return [
    { ...base, topologyKey: LABEL_HOSTNAME, maxSkew: 3 },
    { ...base, topologyKey: LABEL_ZONE, maxSkew: 5 },
  ];
}

export function nodeHasAllKeys(node: Node, constraints: SpreadConstraint[]): boolean {
  const labels = node.metadata?.labels ?? {};
  return constraints.every((c) => c.topologyKey in labels);
}

/** nodeAffinityPolicy / nodeTaintsPolicy: whether the node's pods count towards the domains. */
export function nodeIncluded(pod: Pod, node: Node, c: SpreadConstraint): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !podMatchesNodeSelectorAndAffinity(pod, node)) return false;
  if (c.nodeTaintsPolicy === 'Honor') {
    const t = findUntoleratedTaint(node.spec?.taints ?? [], pod.spec?.tolerations ?? [], (x) => x.effect === 'NoSchedule' || x.effect === 'NoExecute');
    if (t) return false;
  }
  return true;
}

export function countMatchingPods(pods: Pod[], selector: LabelRequirement[], namespace: string): number {
  let n = 0;
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp || (p.metadata?.namespace ?? 'default') !== namespace) continue;
    if (selectorMatches(selector, p.metadata?.labels)) n++;
  }
  return n;
}

/** A requirement with an empty key is the "matches nothing" selector. */
export function selectorMatches(selector: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  if (selector.some((r) => r.key === '')) return false;
  return matchesLabels(selector, labels);
}
