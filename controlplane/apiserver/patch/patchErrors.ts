// The errors the patch mechanisms answer, as upstream's PATCH handler classifies them
// (k8s.io/apiserver/pkg/endpoints/handlers/patch.go, interpretStrategicMergePatchError).

import { ApiError, errors } from '../../api/errors.ts';

// Messages of k8s.io/apimachinery/pkg/util/mergepatch/errors.go.
export const MERGEPATCH = {
  badJSONDoc: 'invalid JSON document',
  noListOfLists: 'lists of lists are not supported',
  badPatchFormatForPrimitiveList: 'invalid patch format of primitive list',
  badPatchFormatForRetainKeys: 'invalid patch format of retainKeys',
  badPatchFormatForSetElementOrderList: 'invalid patch format of setElementOrder list',
} as const;

export const badRequest = (message: string): ApiError => errors.badRequest(message);

/**
 * 422 as upstream builds it with errors.NewGenericServerResponse(http.StatusUnprocessableEntity, ...):
 * reason Invalid and a fixed message, so kubectl prints "The request is invalid: the server rejected
 * our request due to an error in our request". Upstream drops the underlying reason; k8ts keeps it
 * as the single cause, which kubectl prints on the next line.
 */
export function unprocessable(why: string): ApiError {
  return new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', { causes: [{ message: why }] });
}
