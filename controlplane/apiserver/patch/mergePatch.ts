// JSON merge patch (RFC 7386, Content-Type application/merge-patch+json): the patch is a partial
// object; maps merge recursively, `null` removes a key, everything else (lists included) replaces.
// kubectl sends it for label, annotate, scale and `patch --type=merge`. Upstream
// (handlers/patch.go, applyJSPatch) answers 400 for a patch that is not a JSON document.

import jsonMergePatch from 'json-merge-patch';
import { deepClone, isObject, jsonType, type JsonObject } from './jsonValue.ts';
import { badRequest } from './patchErrors.ts';

/** Applies the RFC 7386 merge patch `patch` to `original`, without touching either. */
export function mergePatch(original: object, patch: unknown): JsonObject {
  // A null patch is ErrBadJSONPatch upstream; an array or scalar would replace the whole object.
  if (patch === null) throw badRequest('Invalid JSON Patch');
  if (!isObject(patch)) {
    throw badRequest(`json: cannot unmarshal ${jsonType(patch)} into Go value of type map[string]interface {}`);
  }
  return jsonMergePatch.apply(deepClone(original), deepClone(patch)) as JsonObject;
}
