// What every request handler works with: the object store, the Service address ranges, and the
// request's parsed parts. Query parameters upstream reads on every verb are parsed once here.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ObjectStore } from '../registry/store.ts';
import type { Cidr, Mutex } from '../registry/serviceAllocators.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import type { ResourceRequest } from '../requestInfo.ts';
import type { UserInfo } from '../authn.ts';
import type { Negotiated } from '../http.ts';
import { errors } from '../../api/errors.ts';

export interface ApiContext {
  store: ObjectStore;
  serviceCidr: Cidr;
  nodePortRange: [number, number];
  /** Serialises Service address allocation. */
  allocation: Mutex;
  /** Kubelet connection for logs/exec/port-forward (filled by the kubelet work). */
  kubeletPort: number;
  /** How often a watch that allows bookmarks gets one (upstream: about every minute). */
  watchBookmarkIntervalMs: number;
  log: { info: (o: object, msg?: string) => void; warn: (o: object, msg?: string) => void; error: (o: object, msg?: string) => void };
}

export interface RequestScope {
  ctx: ApiContext;
  req: IncomingMessage;
  res: ServerResponse;
  info: ResourceRequest;
  resource: ResourceInfo;
  query: URLSearchParams;
  user: UserInfo;
  accept: Negotiated;
  /** Warnings for the Warning header (unknown fields under fieldValidation=Warn). */
  warnings: string[];
  /** Set for HTTP upgrade requests (exec, port-forward): bytes the client sent after the headers. */
  upgradeHead?: Buffer;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidation(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return 'Warn'; // upstream default when the client does not say
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw errors.badRequest(`fieldValidation parameter unsupported: ${v}`);
}

export function isDryRun(q: URLSearchParams): boolean {
  const d = q.getAll('dryRun');
  for (const v of d) if (v !== 'All') throw errors.badRequest(`Invalid dry run value: ${v}`);
  return d.length > 0;
}

export function fieldManager(q: URLSearchParams, req: IncomingMessage, fallback = 'unknown'): string {
  const m = q.get('fieldManager');
  if (m) {
    if (m.length > 128) throw errors.badRequest('fieldManager: Too long: may not be more than 128 bytes');
    return m;
  }
  // upstream: the manager defaults to the user agent's program name (kubectl/v1.32.4 → "kubectl").
  const ua = String(req.headers['user-agent'] ?? '');
  return ua.split('/')[0] || fallback;
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw errors.badRequest(`invalid ${name}: ${v}`);
  return n;
}
