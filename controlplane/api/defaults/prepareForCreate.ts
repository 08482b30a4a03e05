// What the API server does to a new object beyond defaults (upstream's strategies'
// PrepareForCreate): things that must happen once, on create, and never again on update.
// Call after the object has its uid and name, before validation.

import { parseQuantity } from '../validation/quantity.ts';
import { ensureObject, isObject, type Json, objectAt, objectsAt } from './fields.ts';

// Labels a Job's pods carry so the Job's generated selector finds exactly them (batch/v1).
const JOB_CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
const LEGACY_JOB_NAME_LABEL = 'job-name';

export function prepareForCreate(kind: string, group: string, obj: unknown): void {
  if (!isObject(obj)) return;
  if (group === '' && kind === 'Namespace') prepareNamespace(obj);
  else if (group === '' && kind === 'Pod') preparePod(obj);
  else if (group === 'batch' && kind === 'Job') generateJobSelector(obj);
}

/**
 * A new namespace is Active and carries the "kubernetes" finalizer, which the namespace
 * controller removes once it has emptied the namespace. (Not a default: defaults run on every
 * update and would put the finalizer back.)
 */
function prepareNamespace(ns: Json): void {
  const spec = ensureObject(ns, 'spec');
  if (spec) {
    const finalizers = Array.isArray(spec.finalizers) ? spec.finalizers : [];
    if (!finalizers.includes('kubernetes')) spec.finalizers = [...finalizers, 'kubernetes'];
  }
  ns.status = { phase: 'Active' };
}

/** A new pod starts Pending, with its QoS class computed once (it can never change). */
function preparePod(pod: Json): void {
  pod.status = { phase: 'Pending', qosClass: qosClass(objectAt(pod, 'spec') ?? {}) };
}

/**
 * GetPodQOS (pkg/apis/core/helper/qos): Guaranteed when every container sets equal cpu and
 * memory requests and limits; BestEffort when none sets any; Burstable otherwise.
 */
export function qosClass(spec: Json): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...objectsAt(spec, 'containers'), ...objectsAt(spec, 'initContainers')];
  let anySet = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const resources = objectAt(c, 'resources');
    const requests = objectAt(resources, 'requests') ?? {};
    const limits = objectAt(resources, 'limits') ?? {};
    for (const r of ['cpu', 'memory']) {
      const req = parseQuantity(requests[r] ?? limits[r]);
      const lim = parseQuantity(limits[r]);
      if ((req ?? 0) !== 0 || (lim ?? 0) !== 0) anySet = true;
      if (lim === undefined || req !== lim) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/**
 * Unless the user set manualSelector, a Job selects its pods by its own uid: the selector and the
 * template labels are generated here (the Job strategy's generateSelector).
 */
export function generateJobSelector(job: Json): void {
  const spec = objectAt(job, 'spec');
  const meta = objectAt(job, 'metadata');
  if (!spec || !meta || spec.manualSelector === true) return;
  const uid = typeof meta.uid === 'string' ? meta.uid : '';
  const name = typeof meta.name === 'string' ? meta.name : '';
  const template = ensureObject(spec, 'template');
  const tmeta = template && ensureObject(template, 'metadata');
  const labels = tmeta && ensureObject(tmeta, 'labels');
  if (!labels) return;
  labels[JOB_CONTROLLER_UID_LABEL] = uid;
  labels[JOB_NAME_LABEL] = name;
  labels[LEGACY_CONTROLLER_UID_LABEL] = uid;
  labels[LEGACY_JOB_NAME_LABEL] = name;
  if (spec.selector === undefined || spec.selector === null) spec.selector = { matchLabels: { [JOB_CONTROLLER_UID_LABEL]: uid } };
}
