// Validation entry points for the API server: validateCreate on POST, validateUpdate on PUT and
// PATCH. Both take the object as decoded JSON (already defaulted) and return causes in upstream's
// words; an empty list means valid. Neither ever throws, whatever the JSON looks like.

import type { StatusCause } from '../errors.ts';
import type { ResourceInfo } from '../resources.ts';
import { validateControllerRevision, validateDaemonSet, validateDeployment, validateReplicaSet, validateStatefulSet } from './apps.ts';
import { validateCronJob, validateJob } from './batch.ts';
import {
  validateBinding, validateCoreEvent, validateEndpointSlice, validateEndpoints, validateEventsV1Event, validateLease,
  validateNamespace, validateNode, validateServiceAccount,
} from './clusterObjects.ts';
import { validateConfigMap, validateSecret } from './configData.ts';
import { isDNS1035Label, isValidPathSegmentName } from './names.ts';
import { masked, nameIsDNSLabel, nameIsDNSSubdomain, type NameRule, validateObjectMeta, validateObjectMetaUpdate } from './objectMeta.ts';
import { validatePod } from './podSpec.ts';
import { validateService } from './service.ts';
import { Causes, type Json, isObject } from './shape.ts';
import { validatePersistentVolume, validatePersistentVolumeClaim } from './storage.ts';
import {
  selectorImmutable, validateConfigDataUpdate, validateEndpointSliceUpdate, validateJobUpdate, validateNodeUpdate,
  validatePersistentVolumeClaimUpdate, validatePersistentVolumeUpdate, validatePodUpdate, validateSecretUpdate,
  validateServiceUpdate, validateStatefulSetUpdate,
} from './update.ts';

interface KindRules {
  name?: NameRule; // DNS-1123 subdomain unless stated
  create?: (c: Causes, obj: Json) => void;
  update?: (obj: unknown, old: unknown) => StatusCause[];
}

const RULES: Record<string, KindRules> = {
  '/Namespace': { name: nameIsDNSLabel, create: validateNamespace },
  '/Pod': { create: validatePod, update: validatePodUpdate },
  '/Binding': { create: validateBinding },
  '/Node': { create: validateNode, update: validateNodeUpdate },
  // Service names become DNS labels under the cluster domain and must start with a letter.
  '/Service': { name: masked(isDNS1035Label), create: validateService, update: validateServiceUpdate },
  '/Endpoints': { create: validateEndpoints },
  '/ConfigMap': { create: validateConfigMap, update: (o, p) => validateConfigDataUpdate(o, p, ['data', 'binaryData']) },
  '/Secret': { create: validateSecret, update: validateSecretUpdate },
  '/ServiceAccount': { create: validateServiceAccount },
  '/Event': { create: validateCoreEvent },
  // Volume and claim names only have to be one URL path segment.
  '/PersistentVolume': { name: isValidPathSegmentName, create: validatePersistentVolume, update: validatePersistentVolumeUpdate },
  '/PersistentVolumeClaim': { name: isValidPathSegmentName, create: validatePersistentVolumeClaim, update: validatePersistentVolumeClaimUpdate },
  'apps/Deployment': { create: validateDeployment, update: (o, p) => selectorImmutable(o, p) },
  'apps/ReplicaSet': { create: validateReplicaSet, update: (o, p) => selectorImmutable(o, p) },
  'apps/DaemonSet': { create: validateDaemonSet, update: (o, p) => selectorImmutable(o, p) },
  'apps/StatefulSet': { create: validateStatefulSet, update: validateStatefulSetUpdate },
  'apps/ControllerRevision': { create: validateControllerRevision },
  'batch/Job': { create: validateJob, update: validateJobUpdate },
  'batch/CronJob': { create: validateCronJob },
  'discovery.k8s.io/EndpointSlice': { create: validateEndpointSlice, update: validateEndpointSliceUpdate },
  'coordination.k8s.io/Lease': { create: validateLease },
  'events.k8s.io/Event': { create: validateEventsV1Event },
};

function rulesFor(resource: ResourceInfo): KindRules {
  return RULES[`${resource.group}/${resource.kind}`] ?? {};
}

/** Validates an object about to be created. */
export function validateCreate(resource: ResourceInfo, obj: unknown): StatusCause[] {
  const c = new Causes();
  if (!isObject(obj)) {
    c.add({ reason: 'FieldValueTypeInvalid', message: 'Invalid value: the object must be a JSON object', field: '' });
    return c.list;
  }
  const rules = rulesFor(resource);
  validateObjectMeta(c, obj, resource.namespaced, rules.name ?? nameIsDNSSubdomain);
  rules.create?.(c, obj);
  return c.list;
}

/** Validates an update: the new object as on create, then what may not change since `old`. */
export function validateUpdate(resource: ResourceInfo, obj: unknown, old: unknown): StatusCause[] {
  const causes = validateCreate(resource, obj);
  if (!isObject(obj)) return causes;
  causes.push(...validateObjectMetaUpdate(obj, old));
  causes.push(...(rulesFor(resource).update?.(obj, old) ?? []));
  return causes;
}

export { parseQuantity, QUANTITY_FORMAT_ERROR } from './quantity.ts';
export { parseCronSchedule, type CronFields, type CronParse } from './cronSchedule.ts';
