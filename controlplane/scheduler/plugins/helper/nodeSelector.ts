// Node selector terms as Pods (nodeAffinity) and PersistentVolumes (spec.nodeAffinity) use them
// (k8s.io/component-helpers/scheduling/corev1/nodeaffinity): terms are ORed, the expressions
// and fields inside one term are ANDed, and a term with nothing in it matches no node.
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod } from 'kubernetes-types/core/v1.js';

export function matchesRequirement(req: NodeSelectorRequirement, value: string | undefined): boolean {
  const has = value !== undefined;
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return has && values.includes(value);
    case 'NotIn':
      return !has || !values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || values.length !== 1) return false;
      const a = Number.parseInt(value, 10);
      const b = Number.parseInt(values[0]!, 10);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return req.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

export function matchesTerm(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  // metadata.name is the only field selector the API allows here.
  const fieldValue = (key: string) => (key === 'metadata.name' ? node.metadata?.name : undefined);
  return exprs.every((r) => matchesRequirement(r, labels[r.key])) && fields.every((r) => matchesRequirement(r, fieldValue(r.key)));
}

export function matchesAnyTerm(terms: NodeSelectorTerm[], node: Node): boolean {
  return terms.some((t) => matchesTerm(t, node));
}

/** spec.nodeSelector and required node affinity together (nodeaffinity.GetRequiredNodeAffinity). */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required && !matchesAnyTerm(required.nodeSelectorTerms ?? [], node)) return false;
  return true;
}
