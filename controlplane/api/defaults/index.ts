// Defaulting: fills the fields a user may leave out with upstream's values, in place, as
// upstream's SetObjectDefaults_* do when the API server decodes a request. Runs on create and on
// every update; create-only preparation lives in prepareForCreate.ts. Never throws: fields of the
// wrong type are left for validation to report.

import {
  defaultEndpointSlice, defaultEndpoints, defaultClaim, defaultNamespace, defaultNode, defaultPersistentVolume,
  defaultSecret, defaultService,
} from './coreDefaults.ts';
import { isObject, type Json } from './fields.ts';
import { defaultPod } from './podDefaults.ts';
import { defaultCronJob, defaultDaemonSet, defaultDeployment, defaultJob, defaultReplicaSet, defaultStatefulSet } from './workloadDefaults.ts';

const DEFAULTERS: Record<string, (obj: Json) => void> = {
  '/Pod': defaultPod,
  '/Service': defaultService,
  '/Namespace': defaultNamespace,
  '/PersistentVolume': defaultPersistentVolume,
  '/PersistentVolumeClaim': defaultClaim,
  '/Secret': defaultSecret,
  '/Node': defaultNode,
  '/Endpoints': defaultEndpoints,
  'apps/Deployment': defaultDeployment,
  'apps/ReplicaSet': defaultReplicaSet,
  'apps/DaemonSet': defaultDaemonSet,
  'apps/StatefulSet': defaultStatefulSet,
  'batch/Job': defaultJob,
  'batch/CronJob': defaultCronJob,
  'discovery.k8s.io/EndpointSlice': defaultEndpointSlice,
};

/** Applies the defaults of `group`/`kind` to `obj` in place (kinds without defaults are untouched). */
export function applyDefaults(kind: string, group: string, obj: unknown): void {
  if (!isObject(obj)) return;
  DEFAULTERS[`${group}/${kind}`]?.(obj);
}

export { prepareForCreate, generateJobSelector, qosClass } from './prepareForCreate.ts';
export { defaultPullPolicy, imageTag } from './podDefaults.ts';
