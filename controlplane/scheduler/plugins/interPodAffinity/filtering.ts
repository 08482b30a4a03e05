// InterPodAffinity PreFilter + Filter (plugins/interpodaffinity/filtering.go). PreFilter counts,
// per topology domain: existing pods whose required anti-affinity the incoming pod matches; and
// existing pods matching the incoming pod's required affinity / anti-affinity terms. Filter then
// checks a node's domains: existing anti-affinity first, then affinity, then anti-affinity.
// Other pods' anti-affinity is read only on the nodes that hold such pods (the snapshot's list);
// every pod is visited only when the incoming pod has terms of its own.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { StateKey, type CycleState } from '../../framework/cycleState.ts';
import type { ClusterView } from '../../framework/interface.ts';
import type { NodeInfo } from '../../framework/nodeInfo.ts';
import type { Snapshot } from '../../framework/snapshot.ts';
import { SKIP, SUCCESS, unresolvable, unschedulable, type Status } from '../../framework/status.ts';
import { requiredAffinityTerms, requiredAntiAffinityTerms, termMatches, TopologyCounts, type AffinityTerm } from './affinityTerms.ts';

export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";

interface FilterState {
  affinityTerms: AffinityTerm[];
  antiAffinityTerms: AffinityTerm[];
  existingAntiAffinityCounts: TopologyCounts;
  affinityCounts: TopologyCounts;
  antiAffinityCounts: TopologyCounts;
}

const filterStateKey = new StateKey<FilterState>('InterPodAffinity/preFilter');

export function interPodAffinityPreFilter(view: ClusterView, state: CycleState, pod: Pod, snapshot: Snapshot): { status: Status } {
  const affinityTerms = requiredAffinityTerms(pod);
  const antiAffinityTerms = requiredAntiAffinityTerms(pod);
  const s: FilterState = {
    affinityTerms,
    antiAffinityTerms,
    existingAntiAffinityCounts: new TopologyCounts(),
    affinityCounts: new TopologyCounts(),
    antiAffinityCounts: new TopologyCounts(),
  };
  const incomingHasTerms = affinityTerms.length > 0 || antiAffinityTerms.length > 0;
  if (!incomingHasTerms && snapshot.havePodsWithRequiredAntiAffinity.length === 0) return { status: SKIP };
  // An existing pod's anti-affinity that the incoming pod matches forbids the whole domain.
  for (const ni of snapshot.havePodsWithRequiredAntiAffinity) {
    const labels = ni.labels;
    for (const existing of ni.podsWithRequiredAntiAffinity)
      for (const t of requiredAntiAffinityTerms(existing))
        if (t.topologyKey in labels && termMatches(t, pod, view)) s.existingAntiAffinityCounts.add(t.topologyKey, labels[t.topologyKey]!, 1);
  }
  if (incomingHasTerms)
    for (const ni of snapshot.nodeInfos) {
      const labels = ni.labels;
      for (const existing of ni.pods) {
        // The incoming pod's affinity counts an existing pod only when it matches every term.
        if (affinityTerms.length > 0 && affinityTerms.every((t) => termMatches(t, existing, view)))
          for (const t of affinityTerms) if (t.topologyKey in labels) s.affinityCounts.add(t.topologyKey, labels[t.topologyKey]!, 1);
        for (const t of antiAffinityTerms)
          if (t.topologyKey in labels && termMatches(t, existing, view)) s.antiAffinityCounts.add(t.topologyKey, labels[t.topologyKey]!, 1);
      }
    }
  state.write(filterStateKey, s);
  return { status: SUCCESS };
}

export function interPodAffinityFilter(view: ClusterView, state: CycleState, pod: Pod, node: NodeInfo): Status {
  const s = state.read(filterStateKey);
  if (!s) return SUCCESS;
  const labels = node.labels;
  if (s.existingAntiAffinityCounts.size > 0)
    for (const [k, v] of Object.entries(labels)) if (s.existingAntiAffinityCounts.get(k, v) > 0) return unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);

  if (s.affinityTerms.length > 0) {
    const allDomainsHaveMatches = s.affinityTerms.every((t) => t.topologyKey in labels && s.affinityCounts.get(t.topologyKey, labels[t.topologyKey]!) > 0);
    if (!allDomainsHaveMatches) {
      // The first pod of a group that wants to be near its own kind: no pod anywhere matches,
      // and the pod matches its own terms, so any node that has the topology keys will do.
      const firstOfItsKind = s.affinityCounts.size === 0 && s.affinityTerms.every((t) => termMatches(t, pod, view));
      if (!firstOfItsKind || !s.affinityTerms.every((t) => t.topologyKey in labels)) return unresolvable(ERR_REASON_AFFINITY);
    }
  }

  for (const t of s.antiAffinityTerms)
    if (t.topologyKey in labels && s.antiAffinityCounts.get(t.topologyKey, labels[t.topologyKey]!) > 0) return unschedulable(ERR_REASON_ANTI_AFFINITY);
  return SUCCESS;
}
