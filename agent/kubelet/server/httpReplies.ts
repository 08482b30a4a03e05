// Error replies of the kubelet server, as Kubernetes Status bodies: the API server pipes them to
// kubectl unchanged, which prints "Error from server (BadRequest): <message>".
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import { ApiError } from '../../../controlplane/api/errors.ts';

export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(500, 'InternalError', `Internal error occurred: ${(err as Error)?.message ?? String(err)}`);
}

export function writeError(res: ServerResponse, err: unknown): void {
  const e = asApiError(err);
  if (res.headersSent) {
    // A stream already under way (logs -f): nothing to do but end it.
    res.end();
    return;
  }
  res.writeHead(e.code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(e.toStatus()));
}

/** Answers an upgrade request that will not be upgraded, then closes the connection. */
export function rejectUpgrade(socket: Duplex, err: unknown): void {
  const e = asApiError(err);
  const body = JSON.stringify(e.toStatus());
  socket.end(
    `HTTP/1.1 ${e.code} ${STATUS_CODES[e.code] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export const errors = {
  badRequest: (message: string) => new ApiError(400, 'BadRequest', message),
  notFound: (message: string) => new ApiError(404, 'NotFound', message),
  unauthorized: () => new ApiError(401, 'Unauthorized', 'Unauthorized'),
  internal: (message: string) => new ApiError(500, 'InternalError', message),
};
