// The httpGet probe (upstream pkg/probe/http): GET the URL from the node, 200–399 succeeds.
// Redirects are followed only to the same host name (kubelet's followNonLocalRedirects=false):
// a redirect elsewhere ends the probe with a warning and counts as success, as upstream. The
// body is read to at most 10 KiB; keep-alive is off so every probe opens a fresh connection.
import http from 'node:http';
import https from 'node:https';
import type { Container, HTTPGetAction } from 'kubernetes-types/core/v1.js';
import { resolveContainerPort } from './containerPort.ts';
import { dialErrorText, joinHostPort } from './netErrors.ts';
import type { ProbeOutcome } from './types.ts';

/** Response body kept; upstream maxRespBodyLength (10 KiB). */
export const MAX_HTTP_BODY_BYTES = 10 * 1024;
/** Go's http.Client stops after 10 redirects (upstream keeps that default). */
export const MAX_REDIRECTS = 10;
/** kube-probe/<major>.<minor> of the Kubernetes version k8ts implements. */
export const PROBE_USER_AGENT = 'kube-probe/1.32';

export interface HttpProbeRequest {
  url: URL;
  /** Header name (canonical form) → values, in the order given. */
  headers: [string, string][];
}

/** Go's textproto.CanonicalMIMEHeaderKey: "x-custom-header" → "X-Custom-Header". */
export function canonicalHeaderName(name: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) return name;
  return name
    .split('-')
    .map((w) => (w ? w[0].toUpperCase() + w.slice(1).toLowerCase() : w))
    .join('-');
}

/**
 * The request an httpGet action describes (upstream NewRequestForHTTPGetAction): scheme defaults
 * to http, host to the pod IP; User-Agent and Accept are added unless the probe sets them, and an
 * empty Accept removes the header.
 */
export function buildHttpProbeRequest(action: HTTPGetAction, container: Container, podIP: string): HttpProbeRequest | { error: string } {
  const port = resolveContainerPort(action.port, container);
  if ('error' in port) return port;
  const scheme = (action.scheme ?? 'HTTP').toLowerCase();
  const host = action.host || podIP;
  const url = new URL(`${scheme}://${joinHostPort(host, port.port)}`);
  const path = action.path ?? '';
  const q = path.indexOf('?');
  url.pathname = q >= 0 ? path.slice(0, q) : path;
  if (q >= 0) url.search = path.slice(q + 1);

  let headers: [string, string][] = (action.httpHeaders ?? []).map((h) => [canonicalHeaderName(h.name), h.value]);
  if (!headers.some(([n]) => n === 'User-Agent')) headers.push(['User-Agent', PROBE_USER_AGENT]);
  const accept = headers.find(([n]) => n === 'Accept');
  if (!accept) headers.push(['Accept', '*/*']);
  else if (accept[1] === '') headers = headers.filter(([n]) => n !== 'Accept');
  return { url, headers };
}

interface RawResponse {
  status: number;
  location?: string;
  body: string;
}

class HttpProbeError extends Error {
  constructor(
    message: string,
    /** The error came while reading the body: upstream returns it as an error, not a failure. */
    readonly whileReadingBody = false,
  ) {
    super(message);
  }
}

function toHeaderObject(headers: [string, string][]): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of headers) {
    const prev = out[name];
    out[name] = prev === undefined ? value : ([] as string[]).concat(prev as string | string[], value);
  }
  return out;
}

/** One GET, no redirects; rejects with Go-worded errors. */
function getOnce(url: URL, headers: [string, string][], signal: AbortSignal): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const addr = joinHostPort(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port || (url.protocol === 'https:' ? 443 : 80)));
    let gotHeaders = false;
    // Probes never verify the pod's certificate (upstream: InsecureSkipVerify).
    const req = mod.request(url, { method: 'GET', headers: toHeaderObject(headers), agent: false, rejectUnauthorized: false, signal });
    req.on('error', (err: NodeJS.ErrnoException) => {
      const prefix = `Get ${JSON.stringify(url.toString())}`;
      if (signal.aborted) {
        return reject(
          new HttpProbeError(
            gotHeaders
              ? 'context deadline exceeded (Client.Timeout or context cancellation while reading body)'
              : `${prefix}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
            gotHeaders,
          ),
        );
      }
      if (err.message === 'socket hang up') return reject(new HttpProbeError(`${prefix}: EOF`));
      if (err.syscall === 'connect' || err.syscall === 'getaddrinfo') return reject(new HttpProbeError(`${prefix}: ${dialErrorText(err, addr, false)}`));
      reject(new HttpProbeError(`${prefix}: ${err.message}`));
    });
    req.on('response', (res) => {
      gotHeaders = true;
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        res.removeAllListeners('data');
        resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).toString('utf8') });
      };
      res.on('data', (chunk: Buffer) => {
        const room = MAX_HTTP_BODY_BYTES - size;
        chunks.push(chunk.subarray(0, room));
        size += Math.min(room, chunk.length);
        // Truncation is not an error (upstream logs it and goes on).
        if (size >= MAX_HTTP_BODY_BYTES) {
          finish();
          req.destroy();
        }
      });
      res.on('end', finish);
      res.on('error', (err) => req.emit('error', err));
    });
    req.end();
  });
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Runs the probe: upstream DoHTTPProbe with the kubelet's redirect policy. */
export async function httpProbe(request: HttpProbeRequest, timeoutSeconds: number): Promise<ProbeOutcome> {
  const controller = new AbortController();
  // Go's Client.Timeout: one deadline for the whole exchange, redirects included.
  const timer = setTimeout(() => controller.abort(), timeoutSeconds * 1000);
  try {
    let url = request.url;
    let headers = request.headers;
    let res: RawResponse;
    for (let hops = 0; ; hops++) {
      res = await getOnce(url, headers, controller.signal);
      if (!REDIRECT_STATUSES.has(res.status) || !res.location) break;
      let next: URL;
      try {
        next = new URL(res.location, url);
      } catch {
        return { result: 'failure', output: `Get ${JSON.stringify(res.location)}: failed to parse Location header` };
      }
      // Another host: stop here and judge the redirect response itself.
      if (next.hostname !== request.url.hostname) break;
      if (hops + 1 >= MAX_REDIRECTS) return { result: 'failure', output: `Get ${JSON.stringify(res.location)}: stopped after ${MAX_REDIRECTS} redirects` };
      headers = [...headers.filter(([n]) => n !== 'Referer'), ...(url.protocol === 'https:' && next.protocol === 'http:' ? [] : [['Referer', url.toString()] as [string, string]])];
      url = next;
    }
    if (res.status >= 200 && res.status < 400) {
      if (res.status >= 300) return { result: 'warning', output: `Probe terminated redirects, Response body: ${res.body}` };
      return { result: 'success', output: res.body };
    }
    return { result: 'failure', output: `HTTP probe failed with statuscode: ${res.status}` };
  } catch (err) {
    if (err instanceof HttpProbeError && err.whileReadingBody) return { result: 'failure', output: '', error: err.message };
    // Transport errors (refused, timeout) are failures, which catches timeouts (upstream).
    return { result: 'failure', output: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}
