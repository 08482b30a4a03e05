// ValidatePodSpec and ValidatePodTemplateSpec (pkg/apis/core/validation/validation.go): volumes
// first, then app, init and ephemeral containers, then the pod-wide policies.

import { forbidden, invalid, notSupported, required } from './causes.ts';
import { nonNegative, qualifiedName } from './common.ts';
import { validateContainerList, type ContainerContext } from './containers.ts';
import { isDNS1123Label, isDNS1123Subdomain, isValidLabelValue } from './names.ts';
import { validateAnnotations, validateLabels } from './objectMeta.ts';
import { Causes, type Json } from './shape.ts';
import { validateVolumes } from './volumes.ts';

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const MAX_INT32 = 2147483647;

/** `claimVolumes`: names a StatefulSet's volumeClaimTemplates add to each pod's volumes. */
export function validatePodSpec(c: Causes, spec: Json, path: string, claimVolumes: string[] = []): void {
  const volumes = validateVolumes(c, spec.volumes, `${path}.volumes`);
  for (const name of claimVolumes) volumes.add(name);
  const ctx: ContainerContext = { volumes, names: new Set(), hostNetwork: c.bool(spec.hostNetwork, `${path}.hostNetwork`) === true };
  validateContainerList(c, spec.containers, `${path}.containers`, 'app', ctx);
  validateContainerList(c, spec.initContainers, `${path}.initContainers`, 'init', ctx);
  validateContainerList(c, spec.ephemeralContainers, `${path}.ephemeralContainers`, 'ephemeral', ctx);

  const restartPolicy = c.str(spec.restartPolicy, `${path}.restartPolicy`);
  if (!restartPolicy) c.add(required(`${path}.restartPolicy`));
  else if (!RESTART_POLICIES.includes(restartPolicy)) c.add(notSupported(`${path}.restartPolicy`, restartPolicy, RESTART_POLICIES));
  const dnsPolicy = c.str(spec.dnsPolicy, `${path}.dnsPolicy`);
  if (!dnsPolicy) c.add(required(`${path}.dnsPolicy`));
  else if (!DNS_POLICIES.includes(dnsPolicy)) c.add(notSupported(`${path}.dnsPolicy`, dnsPolicy, DNS_POLICIES));

  validateLabels(c, spec.nodeSelector, `${path}.nodeSelector`);
  for (const f of ['serviceAccountName', 'nodeName'] as const) {
    const v = c.str(spec[f], `${path}.${f}`);
    if (v) for (const msg of isDNS1123Subdomain(v)) c.add(invalid(`${path}.${f}`, v, msg));
  }
  const deadline = c.int(spec.activeDeadlineSeconds, `${path}.activeDeadlineSeconds`);
  if (deadline !== undefined && (deadline < 1 || deadline > MAX_INT32)) {
    c.add(invalid(`${path}.activeDeadlineSeconds`, deadline, `must be between 1 and ${MAX_INT32}, inclusive`));
  }
  c.int(spec.terminationGracePeriodSeconds, `${path}.terminationGracePeriodSeconds`);
  for (const f of ['hostname', 'subdomain'] as const) {
    const v = c.str(spec[f], `${path}.${f}`);
    if (v) for (const msg of isDNS1123Label(v)) c.add(invalid(`${path}.${f}`, v, msg));
  }
  c.str(spec.schedulerName, `${path}.schedulerName`);
  nonNegative(c, spec.priority, `${path}.priority`);
  validateTolerations(c, spec.tolerations, `${path}.tolerations`);
}

/** ValidateTolerations: key/operator/value/effect combinations. */
function validateTolerations(c: Causes, tolerations: unknown, path: string): void {
  c.objects(tolerations, path).forEach((t, i) => {
    if (!t) return;
    const p = `${path}[${i}]`;
    const key = c.str(t.key, `${p}.key`) ?? '';
    const operator = c.str(t.operator, `${p}.operator`) ?? '';
    const value = c.str(t.value, `${p}.value`) ?? '';
    const effect = c.str(t.effect, `${p}.effect`) ?? '';
    if (key) qualifiedName(c, key, `${p}.key`);
    if (!key && operator !== 'Exists') {
      c.add(invalid(`${p}.operator`, operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (c.int(t.tolerationSeconds, `${p}.tolerationSeconds`) !== undefined && effect !== 'NoExecute') {
      c.add(invalid(`${p}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (operator === '' || operator === 'Equal') {
      for (const msg of isValidLabelValue(value)) c.add(invalid(`${p}.operator`, value, msg));
    } else if (operator === 'Exists') {
      if (value) c.add(invalid(`${p}.operator`, t, "value must be empty when `operator` is 'Exists'"));
    } else {
      c.add(notSupported(`${p}.operator`, operator, ['Equal', 'Exists']));
    }
    if (effect && !TAINT_EFFECTS.includes(effect)) c.add(notSupported(`${p}.effect`, effect, TAINT_EFFECTS));
  });
}

/** ValidatePodTemplateSpec: template labels and annotations, then the pod spec. */
export function validatePodTemplate(c: Causes, template: unknown, path: string, claimVolumes: string[] = []): Json | undefined {
  const t = c.obj(template, path);
  if (!t) {
    c.add(required(path));
    return undefined;
  }
  const meta = c.obj(t.metadata, `${path}.metadata`) ?? {};
  // Upstream reports template labels at `template.labels`, not `template.metadata.labels`.
  validateLabels(c, meta.labels, `${path}.labels`);
  validateAnnotations(c, meta.annotations, `${path}.annotations`);
  const spec = c.obj(t.spec, `${path}.spec`);
  if (!spec) {
    c.add(required(`${path}.spec.containers`));
    return t;
  }
  validatePodSpec(c, spec, `${path}.spec`, claimVolumes);
  if (Array.isArray(spec.ephemeralContainers) && spec.ephemeralContainers.length > 0) {
    c.add(forbidden(`${path}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  }
  return t;
}

/** The template's labels as a string map (non-string values ignored; they were reported already). */
export function templateLabels(template: Json | undefined): Record<string, string> {
  const meta = template?.metadata;
  const labels = typeof meta === 'object' && meta !== null ? (meta as Json).labels : undefined;
  const out: Record<string, string> = {};
  if (typeof labels === 'object' && labels !== null && !Array.isArray(labels)) {
    for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** A Pod on create: the spec, and no ephemeral containers (they arrive through their subresource). */
export function validatePod(c: Causes, pod: Json): void {
  const spec = c.obj(pod.spec, 'spec');
  if (!spec) {
    c.add(required('spec.containers'));
    return;
  }
  validatePodSpec(c, spec, 'spec');
  if (Array.isArray(spec.ephemeralContainers) && spec.ephemeralContainers.length > 0) {
    c.add(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  }
}
