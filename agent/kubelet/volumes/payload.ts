// What a configMap or secret volume holds, as a payload for the atomic writer (upstream
// configmap.go and secret.go makePayload): every key as a file, or only the listed items at their
// paths; modes from the item, else defaultMode, else 0644.
import type { ConfigMap, KeyToPath, Secret } from 'kubernetes-types/core/v1.js';
import type { Payload } from './atomicWriter.ts';

/** API default of configMap/secret defaultMode (420 = 0644). */
export const DEFAULT_FILE_MODE = 0o644;

export class PayloadError extends Error {
  override readonly name = 'PayloadError';
}

/** Keys and their bytes: Data as text, BinaryData (base64 in the API) as bytes. */
function configMapEntries(cm: ConfigMap): Map<string, Buffer> {
  const entries = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm.data ?? {})) entries.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) entries.set(k, Buffer.from(v, 'base64'));
  return entries;
}

/** Secret data is base64 in the API object. */
function secretEntries(secret: Secret): Map<string, Buffer> {
  return new Map(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

function makePayload(entries: Map<string, Buffer>, items: KeyToPath[] | undefined, defaultMode: number | undefined, optional: boolean, missingKey: (key: string) => string): Payload {
  const mode = defaultMode ?? DEFAULT_FILE_MODE;
  const payload: Payload = new Map();
  if (!items || items.length === 0) {
    for (const [k, data] of entries) payload.set(k, { data, mode });
    return payload;
  }
  for (const item of items) {
    const data = entries.get(item.key);
    if (data === undefined) {
      if (optional) continue;
      throw new PayloadError(missingKey(item.key));
    }
    payload.set(item.path, { data, mode: item.mode ?? mode });
  }
  return payload;
}

export function configMapPayload(cm: ConfigMap, items: KeyToPath[] | undefined, defaultMode: number | undefined, optional: boolean): Payload {
  return makePayload(configMapEntries(cm), items, defaultMode, optional, (k) => `configmap references non-existent config key: ${k}`);
}

export function secretPayload(secret: Secret, items: KeyToPath[] | undefined, defaultMode: number | undefined, optional: boolean): Payload {
  return makePayload(secretEntries(secret), items, defaultMode, optional, (k) => `references non-existent secret key: ${k}`);
}
