// Taints and tolerations (k8s.io/api/core/v1 toleration.go ToleratesTaint, and
// component-helpers/scheduling/corev1 FindMatchingUntoleratedTaint).
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';

export function toleratesTaint(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.key && tol.key !== taint.key) return false;
  // An empty key with Exists tolerates every taint.
  switch (tol.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (tol.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => toleratesTaint(t, taint));
}

/** The first taint passing inclusion that no toleration tolerates. */
export function findUntoleratedTaint(taints: Taint[], tolerations: Toleration[], include: (t: Taint) => boolean): Taint | undefined {
  return taints.find((t) => include(t) && !tolerationsTolerateTaint(tolerations, t));
}
