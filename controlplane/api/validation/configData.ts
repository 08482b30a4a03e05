// ConfigMap and Secret checks (ValidateConfigMap, ValidateSecret): keys become file names when
// mounted, so they follow the config-key syntax; the whole payload stays under 1 MiB.

import { invalid, required, tooLong } from './causes.ts';
import { isConfigMapKey } from './names.ts';
import { Causes, type Json, keyPath } from './shape.ts';

// core.MaxSecretSize: the limit for both ConfigMaps and Secrets.
export const MAX_CONFIG_SIZE = 1024 * 1024;
const REDACTED = '<secret contents redacted>';

function validateKeys(c: Causes, data: Record<string, unknown>, path: string): void {
  for (const key of Object.keys(data)) {
    for (const msg of isConfigMapKey(key)) c.add(invalid(keyPath(path, key), key, msg));
  }
}

/** The decoded bytes of a base64 value, or undefined when the text is not base64. */
function decodeBase64(v: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) return undefined;
  return Buffer.from(v, 'base64');
}

export function validateConfigMap(c: Causes, obj: Json): void {
  const data = c.strMap(obj.data, 'data') ?? {};
  const binary = c.strMap(obj.binaryData, 'binaryData') ?? {};
  validateKeys(c, data, 'data');
  validateKeys(c, binary, 'binaryData');
  let size = 0;
  for (const [key, value] of Object.entries(data)) {
    if (key in binary) c.add(invalid(keyPath('data', key), key, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(value);
  }
  for (const [key, value] of Object.entries(binary)) {
    if (key in data) c.add(invalid(keyPath('binaryData', key), key, 'duplicate of key present in data'));
    const bytes = decodeBase64(value);
    if (!bytes) c.add(invalid(keyPath('binaryData', key), REDACTED, 'illegal base64 data'));
    size += bytes?.length ?? 0;
  }
  // Upstream reports the whole object with an empty field path.
  if (size > MAX_CONFIG_SIZE) c.add(tooLong('', MAX_CONFIG_SIZE));
  c.bool(obj.immutable, 'immutable');
}

export function validateSecret(c: Causes, obj: Json): void {
  const data = c.strMap(obj.data, 'data') ?? {};
  validateKeys(c, data, 'data');
  let size = 0;
  const decoded: Record<string, Buffer> = {};
  for (const [key, value] of Object.entries(data)) {
    const bytes = decodeBase64(value);
    if (!bytes) c.add(invalid(keyPath('data', key), REDACTED, 'illegal base64 data'));
    else decoded[key] = bytes;
    size += bytes?.length ?? 0;
  }
  if (size > MAX_CONFIG_SIZE) c.add(tooLong('data', MAX_CONFIG_SIZE));
  c.bool(obj.immutable, 'immutable');

  const type = c.str(obj.type, 'type') ?? '';
  const annotations = ((obj.metadata as Json | undefined)?.annotations ?? {}) as Record<string, unknown>;
  const need = (key: string) => {
    if (!(key in data)) c.add(required(keyPath('data', key)));
  };
  switch (type) {
    case 'kubernetes.io/service-account-token':
      if (!annotations['kubernetes.io/service-account.name']) {
        c.add(required(keyPath('metadata.annotations', 'kubernetes.io/service-account.name')));
      }
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key = type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!(key in data)) {
        need(key);
        break;
      }
      try {
        JSON.parse(decoded[key]?.toString('utf8') ?? '');
      } catch (e) {
        c.add(invalid(keyPath('data', key), REDACTED, (e as Error).message));
      }
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!('username' in data) && !('password' in data)) {
        need('username');
        need('password');
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if (!decoded['ssh-privatekey']?.length) c.add(required(keyPath('data', 'ssh-privatekey')));
      break;
    case 'kubernetes.io/tls':
      need('tls.crt');
      need('tls.key');
      break;
    default:
      break;
  }
}
