// apps/v1 checks from pkg/apis/apps/validation/validation.go: Deployment, ReplicaSet, DaemonSet,
// StatefulSet and ControllerRevision. All of them own pods through a selector, so the template's
// labels must match it and the template may only restart pods Always.

import { forbidden, GoSyntax, goStringMap, invalid, notSupported, required } from './causes.ts';
import { NEGATIVE_ERROR, nonNegative, oneOf, selectorIsEmpty, selectorMatches, validateLabelSelector } from './common.ts';
import { validatePodTemplate, templateLabels } from './podSpec.ts';
import { Causes, type Json } from './shape.ts';
import { labelSelectorGoSyntax } from './goSyntax.ts';
import { regexError } from './names.ts';
import { validateClaimSpec } from './storage.ts';

const SELECTOR_MISMATCH = '`selector` does not match template `labels`';

/**
 * ValidatePodTemplateSpecForReplicaSet and its siblings: selector present and non-empty, the
 * template's labels matched by it, restartPolicy Always, no activeDeadlineSeconds.
 */
function validateOwnedTemplate(c: Causes, spec: Json, path: string, what: string, owner: string, claimVolumes: string[] = []): void {
  const selector = spec.selector;
  if (selector === undefined || selector === null) c.add(required(`${path}.selector`));
  else {
    validateLabelSelector(c, selector, `${path}.selector`);
    if (selectorIsEmpty(selector)) c.add(invalid(`${path}.selector`, new GoSyntax(labelSelectorGoSyntax(selector)), `empty selector is invalid for ${what}`));
  }
  const template = validatePodTemplate(c, spec.template, `${path}.template`, claimVolumes);
  if (!template) return;
  const labels = templateLabels(template);
  if (!selectorIsEmpty(selector) && !selectorMatches(selector, labels)) {
    c.add(invalid(`${path}.template.metadata.labels`, new GoSyntax(goStringMap(labels)), SELECTOR_MISMATCH));
  }
  const podSpec = template.spec;
  if (typeof podSpec === 'object' && podSpec !== null) {
    const ps = podSpec as Json;
    if (typeof ps.restartPolicy === 'string' && ps.restartPolicy !== 'Always') {
      c.add(notSupported(`${path}.template.spec.restartPolicy`, ps.restartPolicy, ['Always']));
    }
    if (ps.activeDeadlineSeconds !== undefined && ps.activeDeadlineSeconds !== null) {
      c.add(forbidden(`${path}.template.spec.activeDeadlineSeconds`, `activeDeadlineSeconds in ${owner} is not Supported`));
    }
  }
}

/** ValidatePositiveIntOrPercent: a non-negative integer or "N%"; returns N either way. */
function intOrPercent(c: Causes, v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) {
    if (v < 0) c.add(invalid(path, v, NEGATIVE_ERROR));
    return v;
  }
  if (typeof v === 'string') {
    const m = /^([0-9]+)%$/.exec(v);
    if (!m) {
      c.add(invalid(path, v, regexError("a valid percent string must be a numeric string followed by an ending '%'", '[0-9]+%', '1%', '93%')));
      return 0;
    }
    return Number(m[1]);
  }
  c.add(invalid(path, v, "must be an integer or percentage (e.g '5%')"));
  return 0;
}

/** IsNotMoreThan100Percent: only percentages are capped. */
function atMost100Percent(c: Causes, v: unknown, path: string): void {
  if (typeof v === 'string' && /^[0-9]+%$/.test(v) && Number(v.slice(0, -1)) > 100) c.add(invalid(path, v, 'must not be greater than 100%'));
}

/** ValidateRollingUpdateDeployment: both may not be zero, or no progress is possible. */
function validateDeploymentRollingUpdate(c: Causes, ru: Json, path: string): void {
  const unavailable = intOrPercent(c, ru.maxUnavailable, `${path}.maxUnavailable`);
  const surge = intOrPercent(c, ru.maxSurge, `${path}.maxSurge`);
  if (unavailable === 0 && surge === 0) c.add(invalid(`${path}.maxUnavailable`, ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
  atMost100Percent(c, ru.maxUnavailable, `${path}.maxUnavailable`);
}

/** ValidateRollingUpdateDaemonSet: exactly one of maxSurge and maxUnavailable is non-zero. */
function validateDaemonSetRollingUpdate(c: Causes, ru: Json, path: string): void {
  const unavailable = intOrPercent(c, ru.maxUnavailable, `${path}.maxUnavailable`);
  const surge = intOrPercent(c, ru.maxSurge, `${path}.maxSurge`);
  atMost100Percent(c, ru.maxUnavailable, `${path}.maxUnavailable`);
  atMost100Percent(c, ru.maxSurge, `${path}.maxSurge`);
  if (unavailable !== 0 && surge !== 0) c.add(invalid(`${path}.maxSurge`, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
  if (unavailable === 0 && surge === 0) c.add(required(`${path}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
}

export function validateDeployment(c: Causes, obj: Json): void {
  const spec = c.obj(obj.spec, 'spec');
  if (!spec) return void c.add(required('spec.selector'));
  nonNegative(c, spec.replicas, 'spec.replicas');
  validateOwnedTemplate(c, spec, 'spec', 'deployment', 'ReplicaSet');
  const strategy = c.obj(spec.strategy, 'spec.strategy') ?? {};
  const type = c.str(strategy.type, 'spec.strategy.type');
  if (type === 'Recreate') {
    if (strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
      c.add(forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
    }
  } else if (type === 'RollingUpdate') {
    const ru = c.obj(strategy.rollingUpdate, 'spec.strategy.rollingUpdate');
    if (!ru) c.add(required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil'));
    else validateDeploymentRollingUpdate(c, ru, 'spec.strategy.rollingUpdate');
  } else {
    // Upstream names the whole strategy struct; the type field is what a reader has to fix.
    c.add(notSupported('spec.strategy.type', type ?? '', ['Recreate', 'RollingUpdate']));
  }
  const minReady = nonNegative(c, spec.minReadySeconds, 'spec.minReadySeconds') ?? 0;
  nonNegative(c, spec.revisionHistoryLimit, 'spec.revisionHistoryLimit');
  const deadline = nonNegative(c, spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds');
  if (deadline !== undefined && deadline <= minReady) {
    c.add(invalid('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'));
  }
  c.bool(spec.paused, 'spec.paused');
}

export function validateReplicaSet(c: Causes, obj: Json): void {
  const spec = c.obj(obj.spec, 'spec');
  if (!spec) return void c.add(required('spec.selector'));
  nonNegative(c, spec.replicas, 'spec.replicas');
  nonNegative(c, spec.minReadySeconds, 'spec.minReadySeconds');
  // Upstream's ReplicaSet message really does say "deployment".
  validateOwnedTemplate(c, spec, 'spec', 'deployment', 'ReplicaSet');
}

export function validateDaemonSet(c: Causes, obj: Json): void {
  const spec = c.obj(obj.spec, 'spec');
  if (!spec) return void c.add(required('spec.selector'));
  validateOwnedTemplate(c, spec, 'spec', 'daemonset', 'DaemonSet');
  nonNegative(c, spec.minReadySeconds, 'spec.minReadySeconds');
  nonNegative(c, spec.revisionHistoryLimit, 'spec.revisionHistoryLimit');
  const strategy = c.obj(spec.updateStrategy, 'spec.updateStrategy') ?? {};
  const type = oneOf(c, strategy.type, 'spec.updateStrategy.type', ['OnDelete', 'RollingUpdate']);
  if (type === 'RollingUpdate') {
    const ru = c.obj(strategy.rollingUpdate, 'spec.updateStrategy.rollingUpdate');
    if (!ru) c.add(required('spec.updateStrategy.rollingUpdate'));
    else validateDaemonSetRollingUpdate(c, ru, 'spec.updateStrategy.rollingUpdate');
  }
}

export function validateStatefulSet(c: Causes, obj: Json): void {
  const spec = c.obj(obj.spec, 'spec');
  if (!spec) return void c.add(required('spec.selector'));
  oneOf(c, spec.podManagementPolicy, 'spec.podManagementPolicy', ['OrderedReady', 'Parallel']);
  const strategy = c.obj(spec.updateStrategy, 'spec.updateStrategy') ?? {};
  const type = oneOf(c, strategy.type, 'spec.updateStrategy.type', ['OnDelete', 'RollingUpdate']);
  if (type === 'OnDelete' && strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
    c.add(invalid('spec.updateStrategy.rollingUpdate', strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
  }
  if (type === 'RollingUpdate') {
    const ru = c.obj(strategy.rollingUpdate, 'spec.updateStrategy.rollingUpdate');
    if (ru) nonNegative(c, ru.partition, 'spec.updateStrategy.rollingUpdate.partition');
  }
  const retention = c.obj(spec.persistentVolumeClaimRetentionPolicy, 'spec.persistentVolumeClaimRetentionPolicy');
  if (retention) {
    for (const f of ['whenDeleted', 'whenScaled']) {
      oneOf(c, retention[f], `spec.persistentVolumeClaimRetentionPolicy.${f}`, ['Retain', 'Delete']);
    }
  }
  nonNegative(c, spec.replicas, 'spec.replicas');
  nonNegative(c, spec.minReadySeconds, 'spec.minReadySeconds');
  c.str(spec.serviceName, 'spec.serviceName');
  // Each claim template becomes a volume of every pod, under the template's name.
  const claimVolumes: string[] = [];
  c.objects(spec.volumeClaimTemplates, 'spec.volumeClaimTemplates').forEach((claim, i) => {
    if (!claim) return;
    const p = `spec.volumeClaimTemplates[${i}]`;
    const name = (c.obj(claim.metadata, `${p}.metadata`) ?? {}).name;
    if (typeof name === 'string' && name) claimVolumes.push(name);
    else c.add(required(`${p}.metadata.name`));
    const claimSpec = c.obj(claim.spec, `${p}.spec`);
    if (claimSpec) validateClaimSpec(c, claimSpec, `${p}.spec`);
    else c.add(required(`${p}.spec.accessModes`, 'at least 1 access mode is required'));
  });
  validateOwnedTemplate(c, spec, 'spec', 'statefulset', 'StatefulSet', claimVolumes);
}

export function validateControllerRevision(c: Causes, obj: Json): void {
  nonNegative(c, obj.revision, 'revision');
}
