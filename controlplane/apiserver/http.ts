// Request bodies in, JSON and Status bodies out.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, errors } from '../api/errors.ts';
import { decodeProtobufObject } from './protobuf/decode.ts';

// upstream: k8s.io/apiserver MaxRequestBodyBytes = 3 MiB
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    throw errors.tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      throw errors.tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Decodes a create/update body: JSON or YAML, which must be one object. */
export function decodeObject(body: Buffer, contentType: string): Record<string, any> {
  if (body.length === 0) throw errors.badRequest('the body of the request was empty');
  let value: unknown;
  if (contentType === 'application/yaml' || contentType === 'application/apply-patch+yaml') {
    try {
      value = parseYaml(body.toString('utf8'), { maxAliasCount: 100 });
    } catch (e) {
      throw errors.badRequest(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
    }
  } else if (contentType === '' || contentType === 'application/json' || contentType === '*/*') {
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw errors.badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
    }
  } else if (contentType === 'application/vnd.kubernetes.protobuf') {
    // kubectl's `create <generator>` commands send protobuf with no fallback to JSON.
    return decodeProtobufObject(body);
  } else {
    throw errors.unsupportedMediaType(contentType);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw errors.badRequest("couldn't get version/kind; json parse error: the body must be a JSON object");
  }
  return value as Record<string, any>;
}

export function sendJSON(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), ...headers });
  res.end(data);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const apiErr = err instanceof ApiError ? err : errors.internal((err as Error)?.message ?? String(err));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  if (apiErr.details?.retryAfterSeconds) headers['Retry-After'] = String(apiErr.details.retryAfterSeconds);
  sendJSON(res, apiErr.code, apiErr.toStatus(), headers);
}

export function successStatus(details?: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(details ? { details } : {}) };
}

/** Whether the client asked for a meta.k8s.io Table (kubectl get) and whether it accepts aggregated discovery. */
export interface Negotiated {
  table: boolean;
  aggregatedDiscovery: boolean;
}

export function negotiate(req: IncomingMessage): Negotiated {
  const accept = String(req.headers.accept ?? '');
  const clauses = accept.split(',').map((c) => c.trim());
  const hasParam = (c: string, k: string, v: string) => c.split(';').some((p) => p.trim() === `${k}=${v}`);
  const table = clauses.some((c) => hasParam(c, 'as', 'Table') && hasParam(c, 'g', 'meta.k8s.io'));
  const aggregatedDiscovery = clauses.some((c) => hasParam(c, 'as', 'APIGroupDiscoveryList') && hasParam(c, 'g', 'apidiscovery.k8s.io'));
  return { table, aggregatedDiscovery };
}
