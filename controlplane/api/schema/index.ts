// OpenAPI schemas of the served kinds: the definitions, the /openapi/v3 documents built from
// them, and the type checking of request bodies (fieldValidation).

export type { Schema } from './upstreamNames.ts';
export { definitionName, groupPackage } from './upstreamNames.ts';
export { definitions, definition, schemaFor, schemaNameFor, resolve, reachableDefinitions } from './definitions.ts';
export { openapiV3Root, openapiV3Document, openapiV3DocumentBody, groupVersionPath } from './openapiV3.ts';
export { type FieldValidation, type CheckResult, checkBody, decodeErrorMessage, warningHeader } from './typeCheck.ts';
