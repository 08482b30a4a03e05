// ClusterIP and NodePort allocation for Services (upstream: pkg/registry/core/service/ipallocator
// and portallocator, bitmaps kept in etcd). Here the allocated set is derived from the Services
// themselves at allocation time, and one in-process lock serialises allocations, which is exact
// for a single API server. Range defaults are upstream's: 10.96.0.0/12 and 30000-32767.
import type { StatusCause } from '../../api/errors.ts';

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
export const DEFAULT_NODE_PORT_RANGE: [number, number] = [30000, 32767];

export function ipToInt(ip: string): number | undefined {
  const m = ip.match(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!;
}

export function intToIp(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Cidr {
  base: number;
  size: number;
}

export function parseCidr(cidr: string): Cidr {
  const [ip, bits] = cidr.split('/');
  const base = ipToInt(ip ?? '');
  const prefix = Number(bits);
  if (base === undefined || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) throw new Error(`invalid CIDR ${cidr}`);
  const size = 2 ** (32 - prefix);
  return { base: base - (base % size), size };
}

/** The first usable address: 10.96.0.1, reserved for the `kubernetes` Service in `default`. */
export function firstServiceIP(c: Cidr): string {
  return intToIp(c.base + 1);
}

type Obj = Record<string, any>;

export function usedClusterIPs(services: Obj[]): Set<string> {
  const used = new Set<string>();
  for (const s of services) for (const ip of s.spec?.clusterIPs ?? [s.spec?.clusterIP]) if (ip && ip !== 'None') used.add(ip);
  return used;
}

export function usedNodePorts(services: Obj[]): Set<number> {
  const used = new Set<number>();
  for (const s of services) for (const p of s.spec?.ports ?? []) if (typeof p?.nodePort === 'number') used.add(p.nodePort);
  return used;
}

const needsNodePorts = (svc: Obj) => svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer';

/**
 * Gives a Service its clusterIP(s) and nodePorts, reusing what `old` had (an update keeps them).
 * Returns causes (422) for a requested address or port that is taken or out of range.
 */
export function allocateServiceAddresses(
  svc: Obj,
  others: Obj[],
  old: Obj | undefined,
  cidr: Cidr,
  portRange: [number, number] = DEFAULT_NODE_PORT_RANGE,
  random: () => number = Math.random,
): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = (svc.spec ??= {});
  if (spec.type === 'ExternalName') {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  } else if (old?.spec?.clusterIP && !spec.clusterIP) {
    spec.clusterIP = old.spec.clusterIP;
    spec.clusterIPs = old.spec.clusterIPs ?? [old.spec.clusterIP];
  } else if (spec.clusterIP === 'None') {
    spec.clusterIPs = ['None'];
  } else if (!old || spec.clusterIP !== old.spec?.clusterIP) {
    const used = usedClusterIPs(others);
    if (spec.clusterIP) {
      const n = ipToInt(spec.clusterIP);
      if (n === undefined || n <= cidr.base || n >= cidr.base + cidr.size - 1) {
        causes.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: ["${spec.clusterIP}"]: failed to allocate IP ${spec.clusterIP}: the provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is ${intToIp(cidr.base)}/${32 - Math.log2(cidr.size)}` });
      } else if (used.has(spec.clusterIP)) {
        causes.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: ["${spec.clusterIP}"]: failed to allocate IP ${spec.clusterIP}: provided IP is already allocated` });
      }
    } else {
      // Random start, linear probe: upstream allocates randomly from the range too. The first
      // address stays for `kubernetes` (it is requested explicitly).
      const span = cidr.size - 3;
      const start = Math.floor(random() * span);
      for (let i = 0; i < span; i++) {
        const ip = intToIp(cidr.base + 2 + ((start + i) % span));
        if (!used.has(ip)) {
          spec.clusterIP = ip;
          break;
        }
      }
      if (!spec.clusterIP) causes.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: 'Internal error: range is full' });
    }
    if (spec.clusterIP) spec.clusterIPs = [spec.clusterIP];
  }

  if (needsNodePorts(svc) && Array.isArray(spec.ports)) {
    const used = usedNodePorts(others);
    const oldPorts: Obj[] = old?.spec?.ports ?? [];
    spec.ports.forEach((p: Obj, i: number) => {
      if (typeof p !== 'object' || p === null) return;
      const previous = oldPorts.find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'))?.nodePort;
      if (p.nodePort === undefined && previous) p.nodePort = previous;
      if (p.nodePort !== undefined && p.nodePort === previous) return;
      if (p.nodePort !== undefined) {
        if (p.nodePort < portRange[0] || p.nodePort > portRange[1]) {
          causes.push({ reason: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: `Invalid value: ${p.nodePort}: provided port is not in the valid range. The range of valid ports is ${portRange[0]}-${portRange[1]}` });
        } else if (used.has(p.nodePort)) {
          causes.push({ reason: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: `Invalid value: ${p.nodePort}: provided port is already allocated` });
        }
        used.add(p.nodePort);
        return;
      }
      const span = portRange[1] - portRange[0] + 1;
      const start = Math.floor(random() * span);
      for (let k = 0; k < span; k++) {
        const port = portRange[0] + ((start + k) % span);
        if (!used.has(port)) {
          p.nodePort = port;
          used.add(port);
          return;
        }
      }
      causes.push({ reason: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: 'Internal error: range is full' });
    });
  } else if (Array.isArray(spec.ports)) {
    for (const p of spec.ports) if (p && typeof p === 'object') delete p.nodePort;
  }
  return causes;
}

/** A promise chain that runs allocations one at a time. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
