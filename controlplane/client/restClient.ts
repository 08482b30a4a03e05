// The HTTP layer under every resource client (client-go's rest.RESTClient): one keep-alive HTTPS
// agent per client with the cluster CA and the client's certificate or token, JSON in and out, and
// non-2xx answers turned into ApiStatusError from the Status body the API server sends.
import { Agent, request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { ApiStatusError } from './types.ts';
import type { ClusterCredentials } from './kubeconfig.ts';

// client-go's default transport keeps idle connections (http.DefaultTransport: MaxIdleConnsPerHost
// is raised to 25 by client-go's transport cache); watches hold one socket each for their lifetime.
const MAX_SOCKETS = 64;
const MAX_IDLE_SOCKETS = 25;
const DEFAULT_USER_AGENT = 'k8ts-client';

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Defaults to application/json when there is a body. */
  contentType?: string;
  signal?: AbortSignal;
}

export interface RestClient {
  /** Sends one request and resolves with the parsed JSON body (undefined for an empty body). */
  request(spec: RequestSpec): Promise<any>;
  /** Sends a GET whose 2xx body is a stream; resolves with the open response. */
  stream(spec: Omit<RequestSpec, 'method' | 'body' | 'contentType'>): Promise<IncomingMessage>;
  close(): void;
}

export function createRestClient(creds: ClusterCredentials, opts: { userAgent?: string } = {}): RestClient {
  const agent = new Agent({ ca: creds.ca, cert: creds.cert, key: creds.key, keepAlive: true, maxSockets: MAX_SOCKETS, maxFreeSockets: MAX_IDLE_SOCKETS });
  const base = new URL(creds.server);
  const userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;

  const send = (spec: RequestSpec): Promise<IncomingMessage> => {
    const url = new URL(spec.path, base);
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const payload = spec.body === undefined ? undefined : typeof spec.body === 'string' || Buffer.isBuffer(spec.body) ? spec.body : JSON.stringify(spec.body);
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': userAgent };
    if (creds.token) headers.Authorization = `Bearer ${creds.token}`;
    if (payload !== undefined) {
      headers['Content-Type'] = spec.contentType ?? 'application/json';
      // Explicit: Node sends a DELETE body with neither Content-Length nor chunked encoding otherwise.
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const options: RequestOptions = { method: spec.method, agent, headers, signal: spec.signal };
    return new Promise((resolve, reject) => {
      const req = request(url, options, resolve);
      req.on('error', reject);
      req.end(payload);
    });
  };

  return {
    async request(spec) {
      const res = await send(spec);
      const text = await readBody(res);
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) throw statusError(status, res.statusMessage, text);
      if (text === '') return undefined;
      try {
        return JSON.parse(text);
      } catch (e) {
        throw new Error(`${spec.method} ${spec.path}: response is not JSON (${(e as Error).message}): ${text.slice(0, 200)}`);
      }
    },
    async stream(spec) {
      const res = await send({ ...spec, method: 'GET' });
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) throw statusError(status, res.statusMessage, await readBody(res));
      return res;
    },
    close: () => agent.destroy(),
  };
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

/**
 * A non-2xx answer as ApiStatusError. The API server always sends a Status body; anything else
 * (a proxy's HTML page) becomes a Status built from the HTTP status, as client-go's
 * newUnstructuredResponseError does — the body is kept in the message, not dropped.
 */
export function statusError(code: number, statusText: string | undefined, body: string): ApiStatusError {
  let parsed: any;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined; // not a Status: reported below with the raw body
  }
  if (parsed && parsed.kind === 'Status') return fromStatus(parsed, code);
  const reason = REASON_BY_CODE[code] ?? 'Unknown';
  const message = `the server responded with ${code} ${statusText ?? ''}`.trim() + (body ? `: ${body.slice(0, 500)}` : '');
  return new ApiStatusError(code, reason, message);
}

/** A Status object (from a response body or a watch ERROR event) as ApiStatusError. */
export function fromStatus(status: Record<string, any>, fallbackCode = 500): ApiStatusError {
  const code = typeof status.code === 'number' ? status.code : fallbackCode;
  return new ApiStatusError(code, status.reason ?? REASON_BY_CODE[code] ?? 'Unknown', status.message ?? `status ${code}`, status);
}

// k8s.io/apimachinery/pkg/api/errors: the reason implied by a code when the body names none.
const REASON_BY_CODE: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};
