// Pod volume checks from pkg/apis/core/validation/validation.go: ValidateVolumes and
// validateVolumeSource. Each volume names exactly one source; the common sources are checked in
// depth, the cloud ones only counted.

import { forbidden, invalid, notSupported, required, duplicate } from './causes.ts';
import { isDNS1123Label } from './names.ts';
import { parseQuantity, QUANTITY_FORMAT_ERROR } from './quantity.ts';
import { Causes, type Json } from './shape.ts';

// The order upstream checks sources in, which decides which one the "more than 1" error names.
const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO',
  'configMap', 'storageos', 'projected', 'csi', 'ephemeral', 'image',
];

// supportedHostPathTypes, sorted as upstream prints them ("" means no check at all).
export const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';

/** ValidateVolumes: returns the names declared, for volumeMounts to refer to. */
export function validateVolumes(c: Causes, volumes: unknown, path: string): Set<string> {
  const names = new Set<string>();
  c.objects(volumes, path).forEach((vol, i) => {
    if (!vol) return;
    const p = `${path}[${i}]`;
    validateVolumeSource(c, vol, p);
    const name = c.str(vol.name, `${p}.name`);
    if (!name) c.add(required(`${p}.name`));
    else for (const msg of isDNS1123Label(name)) c.add(invalid(`${p}.name`, name, msg));
    if (name !== undefined && names.has(name)) c.add(duplicate(`${p}.name`, name));
    if (name !== undefined) names.add(name);
  });
  return names;
}

function validateVolumeSource(c: Causes, vol: Json, path: string): void {
  let count = 0;
  for (const kind of VOLUME_SOURCES) {
    if (vol[kind] === undefined || vol[kind] === null) continue;
    if (count > 0) {
      c.add(forbidden(`${path}.${kind}`, 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    const src = c.obj(vol[kind], `${path}.${kind}`);
    if (src) validateOneSource(c, kind, src, `${path}.${kind}`);
  }
  if (count === 0) c.add(required(path, 'must specify a volume type'));
}

function validateOneSource(c: Causes, kind: string, src: Json, p: string): void {
  switch (kind) {
    case 'hostPath':
      validateHostPath(c, src, p);
      break;
    case 'emptyDir': {
      c.str(src.medium, `${p}.medium`);
      const size = src.sizeLimit;
      if (size !== undefined && size !== null) {
        const v = parseQuantity(size);
        if (v === undefined) c.add(invalid(`${p}.sizeLimit`, size, QUANTITY_FORMAT_ERROR));
        else if (v < 0) c.add(forbidden(`${p}.sizeLimit`, 'SizeLimit field must be a valid resource quantity'));
      }
      break;
    }
    case 'secret':
      if (!c.str(src.secretName, `${p}.secretName`)) c.add(required(`${p}.secretName`));
      validateProjectionCommon(c, src, p);
      break;
    case 'configMap':
      if (!c.str(src.name, `${p}.name`)) c.add(required(`${p}.name`));
      validateProjectionCommon(c, src, p);
      break;
    case 'persistentVolumeClaim':
      if (!c.str(src.claimName, `${p}.claimName`)) c.add(required(`${p}.claimName`));
      break;
    case 'nfs':
      validateNFS(c, src, p);
      break;
    case 'downwardAPI':
      validateFileMode(c, src.defaultMode, `${p}.defaultMode`);
      c.objects(src.items, `${p}.items`).forEach((item, i) => {
        if (item && !c.str(item.path, `${p}.items[${i}].path`)) c.add(required(`${p}.items[${i}].path`));
      });
      break;
    case 'projected':
      validateFileMode(c, src.defaultMode, `${p}.defaultMode`);
      c.objects(src.sources, `${p}.sources`).forEach((s, i) => {
        if (!s) return;
        const kinds = ['secret', 'downwardAPI', 'configMap', 'serviceAccountToken', 'clusterTrustBundle'].filter((k) => s[k] !== undefined && s[k] !== null);
        if (kinds.length === 0) c.add(required(`${p}.sources[${i}]`, 'must specify one of: `configMap`, `secret`, `downwardAPI`, `serviceAccountToken` or `clusterTrustBundle`'));
        kinds.slice(1).forEach((k) => c.add(forbidden(`${p}.sources[${i}].${k}`, 'may not specify more than 1 volume type per source')));
        const token = c.obj(s.serviceAccountToken, `${p}.sources[${i}].serviceAccountToken`);
        if (token) {
          const tp = `${p}.sources[${i}].serviceAccountToken`;
          if (!c.str(token.path, `${tp}.path`)) c.add(required(`${tp}.path`));
          const exp = c.int(token.expirationSeconds, `${tp}.expirationSeconds`);
          if (exp !== undefined && exp < 600) c.add(invalid(`${tp}.expirationSeconds`, exp, 'may not specify a duration less than 10 minutes'));
        }
      });
      break;
    case 'csi':
      if (!c.str(src.driver, `${p}.driver`)) c.add(required(`${p}.driver`));
      break;
    case 'ephemeral':
      if (!c.obj(src.volumeClaimTemplate, `${p}.volumeClaimTemplate`)) c.add(required(`${p}.volumeClaimTemplate`));
      break;
    case 'image':
      if (!c.str(src.reference, `${p}.reference`)) c.add(required(`${p}.reference`));
      break;
    default:
      break;
  }
}

/** validateHostPathVolumeSource: a path without '..' and a known type. Shared with PersistentVolumes. */
export function validateHostPath(c: Causes, src: Json, p: string): void {
  const path = c.str(src.path, `${p}.path`);
  if (!path) {
    c.add(required(`${p}.path`));
    return;
  }
  if (path.split('/').includes('..')) c.add(invalid(`${p}.path`, path, "must not contain '..'"));
  const type = c.str(src.type, `${p}.type`);
  if (type !== undefined && !HOST_PATH_TYPES.includes(type)) c.add(notSupported(`${p}.type`, type, HOST_PATH_TYPES));
}

export function validateNFS(c: Causes, src: Json, p: string): void {
  if (!c.str(src.server, `${p}.server`)) c.add(required(`${p}.server`));
  const path = c.str(src.path, `${p}.path`);
  if (!path) c.add(required(`${p}.path`));
  else if (!path.startsWith('/')) c.add(invalid(`${p}.path`, path, 'must be an absolute path'));
}

function validateFileMode(c: Causes, mode: unknown, path: string): void {
  const m = c.int(mode, path);
  if (m !== undefined && (m < 0 || m > 0o777)) c.add(invalid(path, m, FILE_MODE_ERROR));
}

/** defaultMode and items (validateKeyToPath) shared by secret and configMap volumes. */
function validateProjectionCommon(c: Causes, src: Json, p: string): void {
  validateFileMode(c, src.defaultMode, `${p}.defaultMode`);
  c.objects(src.items, `${p}.items`).forEach((item, i) => {
    if (!item) return;
    const ip = `${p}.items[${i}]`;
    if (!c.str(item.key, `${ip}.key`)) c.add(required(`${ip}.key`));
    const path = c.str(item.path, `${ip}.path`);
    if (!path) c.add(required(`${ip}.path`));
    else {
      if (path.startsWith('/')) c.add(invalid(`${ip}.path`, path, 'must be a relative path'));
      if (path.split('/').includes('..')) c.add(invalid(`${ip}.path`, path, "must not contain '..'"));
      if (path.startsWith('..')) c.add(invalid(`${ip}.path`, path, "must not start with '..'"));
    }
    validateFileMode(c, item.mode, `${ip}.mode`);
  });
}
