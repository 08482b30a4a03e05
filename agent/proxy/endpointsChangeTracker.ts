// EndpointSlice changes between two syncs (upstream pkg/proxy/endpointschangetracker.go and
// endpointslicecache.go). Slices are kept per Service (the kubernetes.io/service-name label);
// an event marks its Service pending, and a sync rebuilds the endpoints of pending Services only,
// reporting those whose endpoints really changed.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { buildEndpointsMap, SERVICE_NAME_LABEL } from './endpointsMap.ts';
import { namespacedName, sameList } from './serviceChangeTracker.ts';
import type { EndpointInfo, EndpointsMap, Logger } from './types.ts';

export interface EndpointsUpdateResult {
  /** Endpoints per service port after the update: the tracker's own map, like ServiceUpdateResult.services. */
  endpoints: EndpointsMap;
  /** "ns/name" of Services whose endpoints changed. */
  changed: Set<string>;
}

export class EndpointsChangeTracker {
  /** "ns/svc" → slice "ns/name" → slice. */
  private readonly slices = new Map<string, Map<string, EndpointSlice>>();
  /** slice "ns/name" → the Service it was filed under. */
  private readonly serviceOfSlice = new Map<string, string>();
  private readonly pending = new Set<string>();
  /** "ns/svc" → its service ports' endpoints as last applied (port names sorted). */
  private readonly applied = new Map<string, { ports: string[]; endpoints: EndpointInfo[][] }>();
  private readonly map: EndpointsMap = new Map();

  constructor(
    private readonly nodeName: string,
    private readonly log: Logger,
  ) {}

  /** An informer event: add (prev undefined), update, or delete (cur undefined). */
  onChange(prev: EndpointSlice | undefined, cur: EndpointSlice | undefined): void {
    const obj = cur ?? prev;
    if (!obj) return;
    const sliceKey = namespacedName(obj);
    const oldService = this.serviceOfSlice.get(sliceKey);
    if (oldService) {
      this.slices.get(oldService)?.delete(sliceKey);
      this.pending.add(oldService);
      this.serviceOfSlice.delete(sliceKey);
    }
    const svc = cur?.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!cur || !svc) return; // deleted, or not owned by a Service
    const service = `${cur.metadata?.namespace ?? 'default'}/${svc}`;
    let bySlice = this.slices.get(service);
    if (!bySlice) this.slices.set(service, (bySlice = new Map()));
    bySlice.set(sliceKey, cur);
    this.serviceOfSlice.set(sliceKey, service);
    this.pending.add(service);
  }

  /** Level-triggered resync: the whole list as the informer cache has it now. */
  replaceAll(slices: EndpointSlice[]): void {
    const seen = new Set(slices.map(namespacedName));
    for (const [sliceKey, service] of this.serviceOfSlice) {
      if (!seen.has(sliceKey)) {
        this.slices.get(service)?.delete(sliceKey);
        this.serviceOfSlice.delete(sliceKey);
        this.pending.add(service);
      }
    }
    for (const s of slices) this.onChange(undefined, s);
  }

  pendingChanges(): Set<string> {
    return new Set(this.pending);
  }

  update(): EndpointsUpdateResult {
    const changed = new Set<string>();
    for (const service of this.pending) {
      const bySlice = this.slices.get(service);
      const eps = bySlice?.size ? buildEndpointsMap([...bySlice.values()], this.nodeName, this.log) : new Map<string, EndpointInfo[]>();
      if (bySlice && !bySlice.size) this.slices.delete(service);
      const ports = [...eps.keys()].sort();
      const endpoints = ports.map((p) => eps.get(p)!);
      const before = this.applied.get(service) ?? { ports: [], endpoints: [] };
      if (sameList(before.ports, ports, (a, b) => a === b) && sameList(before.endpoints, endpoints, (a, b) => sameList(a, b, sameEndpoint))) continue;
      for (const p of before.ports) this.map.delete(p);
      for (const p of ports) this.map.set(p, eps.get(p)!);
      if (ports.length) this.applied.set(service, { ports, endpoints });
      else this.applied.delete(service);
      changed.add(service);
    }
    this.pending.clear();
    return { endpoints: this.map, changed };
  }
}

function sameEndpoint(a: EndpointInfo, b: EndpointInfo): boolean {
  return a.ip === b.ip && a.port === b.port && a.ready === b.ready && a.serving === b.serving && a.terminating === b.terminating && a.isLocal === b.isLocal && a.nodeName === b.nodeName;
}
