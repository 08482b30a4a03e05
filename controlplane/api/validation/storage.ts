// PersistentVolume and PersistentVolumeClaim checks (ValidatePersistentVolumeSpec,
// ValidatePersistentVolumeClaimSpec in pkg/apis/core/validation/validation.go).

import { forbidden, invalid, notSupported, required } from './causes.ts';
import { optionalOneOf, qualifiedName } from './common.ts';
import { isDNS1123Subdomain } from './names.ts';
import { parseQuantity, QUANTITY_FORMAT_ERROR } from './quantity.ts';
import { Causes, type Json, keyPath } from './shape.ts';
import { validateHostPath, validateNFS } from './volumes.ts';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const VOLUME_MODES = ['Block', 'Filesystem'];
const NODE_SELECTOR_OPERATORS = ['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'];

// The sources a PersistentVolume may name; exactly one.
const PV_SOURCES = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'glusterfs', 'nfs', 'rbd', 'quobyte', 'cinder', 'cephfs',
  'fc', 'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'azureDisk', 'photonPersistentDisk',
  'portworxVolume', 'scaleIO', 'local', 'storageos', 'csi', 'iscsi',
];

function validateAccessModes(c: Causes, modes: unknown, path: string, requiredDetail: string): void {
  const list = c.strs(modes, path);
  if (list.length === 0) c.add(required(path, requiredDetail));
  for (const m of list) if (!ACCESS_MODES.includes(m)) c.add(notSupported(path, m, ACCESS_MODES));
}

/** A storage quantity: parses and is positive (ValidatePositiveQuantityValue). */
function positiveQuantity(c: Causes, q: unknown, path: string): number | undefined {
  const v = parseQuantity(q);
  if (v === undefined) {
    c.add(invalid(path, q, QUANTITY_FORMAT_ERROR));
    return undefined;
  }
  if (v <= 0) c.add(invalid(path, String(q), 'must be greater than zero'));
  return v;
}

function validateStorageClassName(c: Causes, v: unknown, path: string): void {
  const s = c.str(v, path);
  if (s) for (const msg of isDNS1123Subdomain(s)) c.add(invalid(path, s, msg));
}

/** validateVolumeNodeAffinity: required.nodeSelectorTerms, each with well-formed requirements. */
function validateNodeAffinity(c: Causes, na: Json, path: string): void {
  const req = c.obj(na.required, `${path}.required`);
  if (!req) return void c.add(required(`${path}.required`, 'must specify required node constraints'));
  const terms = c.objects(req.nodeSelectorTerms, `${path}.required.nodeSelectorTerms`);
  if (terms.length === 0) c.add(required(`${path}.required.nodeSelectorTerms`, 'must have at least one node selector term'));
  terms.forEach((t, i) => {
    if (!t) return;
    const tp = `${path}.required.nodeSelectorTerms[${i}]`;
    for (const f of ['matchExpressions', 'matchFields'] as const) {
      c.objects(t[f], `${tp}.${f}`).forEach((e, j) => {
        if (!e) return;
        const ep = `${tp}.${f}[${j}]`;
        const key = c.str(e.key, `${ep}.key`) ?? '';
        if (f === 'matchExpressions') qualifiedName(c, key, `${ep}.key`);
        const op = c.str(e.operator, `${ep}.operator`) ?? '';
        const values = c.strs(e.values, `${ep}.values`);
        if (!NODE_SELECTOR_OPERATORS.includes(op)) c.add(invalid(`${ep}.operator`, op, 'not a valid selector operator'));
        if ((op === 'In' || op === 'NotIn') && values.length === 0) {
          c.add(required(`${ep}.values`, 'must be specified when `operator` is \'In\' or \'NotIn\''));
        }
        if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) {
          c.add(forbidden(`${ep}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        }
        if ((op === 'Gt' || op === 'Lt') && values.length !== 1) c.add(required(`${ep}.values`, 'must be specified single value when `operator` is \'Lt\' or \'Gt\''));
      });
    }
  });
}

export function validatePersistentVolume(c: Causes, obj: Json): void {
  const spec = c.obj(obj.spec, 'spec') ?? {};
  validateAccessModes(c, spec.accessModes, 'spec.accessModes', '');
  const capacity = c.obj(spec.capacity, 'spec.capacity');
  if (!capacity || Object.keys(capacity).length === 0) c.add(required('spec.capacity'));
  else {
    if (!('storage' in capacity) || Object.keys(capacity).length > 1) c.add(notSupported('spec.capacity', capacity, ['storage']));
    for (const [k, q] of Object.entries(capacity)) positiveQuantity(c, q, keyPath('spec.capacity', k));
  }
  optionalOneOf(c, spec.persistentVolumeReclaimPolicy, 'spec.persistentVolumeReclaimPolicy', RECLAIM_POLICIES);
  validateStorageClassName(c, spec.storageClassName, 'spec.storageClassName');
  optionalOneOf(c, spec.volumeMode, 'spec.volumeMode', VOLUME_MODES);

  let count = 0;
  for (const kind of PV_SOURCES) {
    if (spec[kind] === undefined || spec[kind] === null) continue;
    if (count > 0) {
      c.add(forbidden(`spec.${kind}`, 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    const src = c.obj(spec[kind], `spec.${kind}`);
    if (!src) continue;
    if (kind === 'hostPath') validateHostPath(c, src, 'spec.hostPath');
    else if (kind === 'nfs') validateNFS(c, src, 'spec.nfs');
    else if (kind === 'local') {
      const path = c.str(src.path, 'spec.local.path');
      if (!path) c.add(required('spec.local.path'));
      else if (path.split('/').includes('..')) c.add(invalid('spec.local.path', path, "must not contain '..'"));
    } else if (kind === 'csi') {
      if (!c.str(src.driver, 'spec.csi.driver')) c.add(required('spec.csi.driver'));
      if (!c.str(src.volumeHandle, 'spec.csi.volumeHandle')) c.add(required('spec.csi.volumeHandle'));
    }
  }
  if (count === 0) c.add(required('spec', 'must specify a volume type'));

  const na = c.obj(spec.nodeAffinity, 'spec.nodeAffinity');
  if (na) validateNodeAffinity(c, na, 'spec.nodeAffinity');
  // A local volume lives on one node's disk; the scheduler needs to know which.
  if (spec.local !== undefined && spec.local !== null && !na?.required) {
    c.add(required('spec.nodeAffinity', 'Local volume requires node affinity'));
  }
  const claimRef = c.obj(spec.claimRef, 'spec.claimRef');
  if (claimRef) {
    if (!c.str(claimRef.name, 'spec.claimRef.name')) c.add(required('spec.claimRef.name'));
    if (!c.str(claimRef.namespace, 'spec.claimRef.namespace')) c.add(required('spec.claimRef.namespace'));
  }
}

/** ValidatePersistentVolumeClaimSpec; also used for StatefulSet volumeClaimTemplates. */
export function validateClaimSpec(c: Causes, spec: Json, path: string): void {
  validateAccessModes(c, spec.accessModes, `${path}.accessModes`, 'at least 1 access mode is required');
  const resources = c.obj(spec.resources, `${path}.resources`) ?? {};
  const requests = c.obj(resources.requests, `${path}.resources.requests`) ?? {};
  // Upstream reports a missing request at `resources[storage]`.
  if (requests.storage === undefined || requests.storage === null) c.add(required(keyPath(`${path}.resources`, 'storage')));
  else positiveQuantity(c, requests.storage, keyPath(`${path}.resources`, 'storage'));
  const limits = c.obj(resources.limits, `${path}.resources.limits`);
  if (limits?.storage !== undefined) positiveQuantity(c, limits.storage, keyPath(`${path}.resources.limits`, 'storage'));
  validateStorageClassName(c, spec.storageClassName, `${path}.storageClassName`);
  optionalOneOf(c, spec.volumeMode, `${path}.volumeMode`, VOLUME_MODES);
  c.str(spec.volumeName, `${path}.volumeName`);
  const selector = c.obj(spec.selector, `${path}.selector`);
  if (selector) c.obj(selector.matchLabels, `${path}.selector.matchLabels`);
}

export function validatePersistentVolumeClaim(c: Causes, obj: Json): void {
  const spec = c.obj(obj.spec, 'spec');
  if (!spec) return void c.add(required('spec.accessModes', 'at least 1 access mode is required'));
  validateClaimSpec(c, spec, 'spec');
}
