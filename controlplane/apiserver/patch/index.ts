// PATCH bodies, by Content-Type (k8s.io/apimachinery/pkg/types/patch.go):
//   application/json-patch+json            RFC 6902 operations              jsonPatch.ts
//   application/merge-patch+json           RFC 7386 partial object          mergePatch.ts
//   application/strategic-merge-patch+json schema-aware partial object      strategicMerge.ts
//   application/apply-patch+yaml           server-side apply                serverSideApply.ts
// applyPatch handles the first three, which turn the live object into the new one and nothing
// else; apply also needs the field manager and may create the object, so it is called on its own.

import { errors } from '../../api/errors.ts';
import { jsonPatch } from './jsonPatch.ts';
import { mergePatch } from './mergePatch.ts';
import { strategicMergePatch } from './strategicMerge.ts';
import { patchMetaFor } from './patchMeta.ts';
import { badRequest } from './patchErrors.ts';
import type { JsonObject } from './jsonValue.ts';

export const PATCH_CONTENT_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** The media type without parameters (`; charset=utf-8`), lower-cased. */
export function patchMediaType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

/**
 * Applies a JSON, merge or strategic merge patch body to `original` (an object of `kind`), without
 * touching `original`. Throws 415 for any other Content-Type, 400 for a body that is not JSON or a
 * malformed patch, 422 for a JSON patch that does not apply.
 */
export function applyPatch(contentType: string, original: object, patchBody: Buffer | string, kind: string): JsonObject {
  const mediaType = patchMediaType(contentType);
  const parse = () => parsePatchBody(patchBody);
  switch (mediaType) {
    case PATCH_CONTENT_TYPES.json:
      return jsonPatch(original, parse());
    case PATCH_CONTENT_TYPES.merge:
      return mergePatch(original, parse());
    case PATCH_CONTENT_TYPES.strategic:
      return strategicMergePatch(original, parse(), patchMetaFor(kind));
    default:
      throw errors.unsupportedMediaType(contentType);
  }
}

/** Decodes a JSON patch body; malformed JSON is a 400 as upstream's decoder answers. */
export function parsePatchBody(body: Buffer | string): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
}

export { apply, type ApplyOptions, type ApplyResult, type ApplyConflict } from './serverSideApply.ts';
export { updateManagedFieldsForUpdate, type UpdateOptions } from './managedFields.ts';
export { jsonPatch } from './jsonPatch.ts';
export { mergePatch } from './mergePatch.ts';
export { strategicMergePatch } from './strategicMerge.ts';
export { patchMetaFor, type PatchMeta } from './patchMeta.ts';
