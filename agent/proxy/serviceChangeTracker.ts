// Service changes between two syncs (upstream pkg/proxy/servicechangetracker.go). Informer
// handlers only record the newest object per Service; a sync applies what was recorded to the
// service-port map and learns which Services really changed, so a partial sync rewrites just
// their rules. A Service changed and changed back before a sync counts as unchanged, as upstream.
import type { Service } from 'kubernetes-types/core/v1.js';
import { servicePortsOf } from './serviceMap.ts';
import type { Logger, ServicePortInfo, ServicePortMap } from './types.ts';

export interface ServiceUpdateResult {
  /**
   * Every service port after the update: the tracker's own map, changed by the next update() (its
   * entries are replaced, never modified, so an entry read earlier stays as it was).
   */
  services: ServicePortMap;
  /** "ns/name" of Services whose ports were added, changed or removed. */
  changed: Set<string>;
}

export const namespacedName = (o: { metadata?: { namespace?: string; name?: string } }) => `${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`;

export class ServiceChangeTracker {
  /** "ns/name" → newest object seen since the last update(); null = deleted. */
  private readonly pending = new Map<string, Service | null>();
  /** "ns/name" → its ports as last applied. */
  private readonly applied = new Map<string, ServicePortInfo[]>();
  private readonly map: ServicePortMap = new Map();

  constructor(private readonly log: Logger) {}

  /** An informer event: add (prev undefined), update, or delete (cur undefined). */
  onChange(prev: Service | undefined, cur: Service | undefined): void {
    const obj = cur ?? prev;
    if (obj) this.pending.set(namespacedName(obj), cur ?? null);
  }

  /** Level-triggered resync: the whole list as the informer cache has it now. */
  replaceAll(services: Service[]): void {
    const seen = new Set<string>();
    for (const svc of services) {
      const key = namespacedName(svc);
      seen.add(key);
      this.pending.set(key, svc);
    }
    for (const key of this.applied.keys()) if (!seen.has(key)) this.pending.set(key, null);
  }

  /** Services with recorded events not yet applied (upstream PendingChanges). */
  pendingChanges(): Set<string> {
    return new Set(this.pending.keys());
  }

  /** Applies the recorded events (upstream ServicePortMap.Update). */
  update(): ServiceUpdateResult {
    const changed = new Set<string>();
    for (const [name, svc] of this.pending) {
      const ports = svc ? servicePortsOf(svc, this.log) : [];
      const before = this.applied.get(name) ?? [];
      if (sameList(before, ports, samePort)) continue;
      for (const p of before) this.map.delete(p.name);
      for (const p of ports) this.map.set(p.name, p);
      if (ports.length) this.applied.set(name, ports);
      else this.applied.delete(name);
      changed.add(name);
    }
    this.pending.clear();
    return { services: this.map, changed };
  }
}

export function sameList<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i]!, b[i]!)) return false;
  return true;
}

const sameStrings = (a: readonly string[], b: readonly string[]) => sameList(a, b, (x, y) => x === y);

/** Field by field: cheaper than serializing 10,000 Services on a full sync. */
function samePort(a: ServicePortInfo, b: ServicePortInfo): boolean {
  return (
    a.name === b.name && a.protocol === b.protocol && a.clusterIP === b.clusterIP && a.port === b.port && a.nodePort === b.nodePort &&
    a.stickySeconds === b.stickySeconds && a.externalPolicyLocal === b.externalPolicyLocal && a.internalPolicyLocal === b.internalPolicyLocal &&
    a.healthCheckNodePort === b.healthCheckNodePort && sameStrings(a.externalIPs, b.externalIPs) && sameStrings(a.loadBalancerIPs, b.loadBalancerIPs) &&
    sameStrings(a.loadBalancerSourceRanges, b.loadBalancerSourceRanges)
  );
}
