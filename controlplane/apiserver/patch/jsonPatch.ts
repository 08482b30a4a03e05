// JSON patch (RFC 6902, Content-Type application/json-patch+json): a list of operations
// (add, remove, replace, move, copy, test) on JSON pointers. kubectl sends it for
// `patch --type=json`, `rollout undo` and the migration step of `apply --server-side`.
// Upstream (k8s.io/apiserver/pkg/endpoints/handlers/patch.go, applyJSPatch): a body that does not
// decode as a list of operations is 400 BadRequest; more than 10000 operations is 413; any failure
// while applying (a missing path, a failed `test`, an unknown op) is 422.

import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { ApiError } from '../../api/errors.ts';
import { deepClone, isObject, jsonType, type JsonObject } from './jsonValue.ts';
import { badRequest, unprocessable } from './patchErrors.ts';

// maxJSONPatchOperations in handlers/patch.go.
const MAX_JSON_PATCH_OPERATIONS = 10000;

/** Applies the RFC 6902 operations `ops` to `original`, without touching either. */
export function jsonPatch(original: object, ops: unknown): JsonObject {
  if (!Array.isArray(ops)) {
    throw badRequest(`json: cannot unmarshal ${jsonType(ops)} into Go value of type jsonpatch.Patch`);
  }
  if (ops.some((op) => !isObject(op))) {
    throw badRequest('json: cannot unmarshal non-object into Go struct field of type jsonpatch.Operation');
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new ApiError(
      413,
      'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`,
    );
  }
  let result: unknown;
  try {
    result = jsonpatch.applyPatch(deepClone(original), deepClone(ops) as Operation[], true, true).newDocument;
  } catch (err) {
    throw unprocessable(describe(err, ops as JsonObject[]));
  }
  if (!isObject(result)) {
    throw badRequest(`json: cannot unmarshal ${jsonType(result)} into Go value of type map[string]interface {}`);
  }
  return result;
}

/** The reason a JSON patch failed, worded like upstream's json-patch library. */
function describe(err: unknown, ops: JsonObject[]): string {
  if (!(err instanceof jsonpatch.JsonPatchError)) return String(err);
  const op = (typeof err.index === 'number' ? ops[err.index] : err.operation) ?? {};
  const path = String(op.path ?? '');
  switch (err.name) {
    case 'TEST_OPERATION_FAILED':
      return `testing value ${path} failed: test failed`;
    case 'OPERATION_OP_INVALID':
      return `Unexpected kind: ${String(op.op)}`;
    case 'OPERATION_PATH_UNRESOLVABLE':
    case 'OPERATION_PATH_CANNOT_ADD':
      return `${String(op.op)} operation does not apply: doc is missing path: "${path}": missing value`;
    case 'OPERATION_FROM_UNRESOLVABLE':
      return `${String(op.op)} operation does not apply: doc is missing from path: "${String(op.from ?? '')}": missing value`;
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
      return `${String(op.op)} operation does not apply: index out of range in path: "${path}"`;
    default:
      return err.message.split('\n')[0];
  }
}
