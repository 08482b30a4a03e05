// The Node object a kubelet registers (upstream: kubelet_node_status.go initialNode and
// updateDefaultLabels). Pure: registration.ts sends it.
import type { Node, Taint } from 'kubernetes-types/core/v1.js';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_OS = 'kubernetes.io/os';
export const LABEL_ARCH = 'kubernetes.io/arch';
export const LABEL_CONTROL_PLANE = 'node-role.kubernetes.io/control-plane';
/** What kubeadm puts on a control-plane node so ordinary pods stay off it. */
export const TAINT_CONTROL_PLANE: Taint = { key: LABEL_CONTROL_PLANE, effect: 'NoSchedule' };

export interface NodeIdentity {
  nodeName: string;
  operatingSystem: string;
  architecture: string;
  /** The control-plane node: role label and NoSchedule taint. */
  master?: boolean;
  /** --register-with-taints; applied at registration only, as upstream. */
  registerWithTaints?: Taint[];
  /** --node-labels. */
  extraLabels?: Record<string, string>;
}

/**
 * The labels the kubelet keeps on its Node. Upstream's kubelet sets only the
 * hostname/os/arch ones and kubeadm adds the role label; with no kubeadm here the kubelet adds
 * the role label itself when told it runs the control plane.
 */
export function defaultLabels(id: NodeIdentity): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL_ARCH]: id.architecture,
    [LABEL_HOSTNAME]: id.nodeName,
    [LABEL_OS]: id.operatingSystem,
    ...id.extraLabels,
  };
  if (id.master) labels[LABEL_CONTROL_PLANE] = '';
  return labels;
}

export function nodeTaints(id: NodeIdentity): Taint[] {
  const taints = [...(id.registerWithTaints ?? [])];
  if (id.master && !taints.some((t) => t.key === TAINT_CONTROL_PLANE.key && t.effect === TAINT_CONTROL_PLANE.effect)) taints.push({ ...TAINT_CONTROL_PLANE });
  return taints;
}

/** The Node to create, before its status is filled in. */
export function initialNode(id: NodeIdentity): Node {
  const taints = nodeTaints(id);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: id.nodeName, labels: defaultLabels(id) },
    spec: taints.length ? { taints } : {},
  };
}

/**
 * Adopting a Node that already exists (a re-installed kubelet, a kubelet restart): its labels
 * are brought back to what this kubelet sets (upstream updateDefaultLabels); taints and
 * everything else an administrator changed stay. Returns the labels to write, or undefined when
 * nothing needs changing.
 */
export function reconcileLabels(existing: Node, id: NodeIdentity): Record<string, string> | undefined {
  const current = existing.metadata?.labels ?? {};
  const wanted = defaultLabels(id);
  const changed = Object.entries(wanted).some(([k, v]) => current[k] !== v);
  return changed ? { ...current, ...wanted } : undefined;
}
