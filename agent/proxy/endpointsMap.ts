// EndpointSlices → endpoints per service port (upstream pkg/proxy/endpointslicecache.go). Slices
// find their Service through the kubernetes.io/service-name label; a Service may have several
// slices, merged here. Only IPv4 slices are used. Endpoints with a garbage address are skipped
// with a log line.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isIPv4 } from './ip.ts';
import { servicePortName } from './serviceMap.ts';
import { endpointString, type EndpointInfo, type EndpointsMap, type Logger } from './types.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function buildEndpointsMap(slices: EndpointSlice[], nodeName: string, log: Logger): EndpointsMap {
  const byPort = new Map<string, Map<string, EndpointInfo>>();
  for (const slice of slices) {
    const ns = slice.metadata?.namespace ?? 'default';
    const svc = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!svc) continue; // not owned by a Service (upstream: "slice missing service name label")
    if (slice.addressType !== 'IPv4') continue;
    for (const port of slice.ports ?? []) {
      // A port without a number cannot be proxied (upstream skips it too).
      if (typeof port.port !== 'number' || port.port < 1 || port.port > 65535) {
        log.warn({ slice: `${ns}/${slice.metadata?.name}`, port: port.name }, 'skipping EndpointSlice port without a valid number');
        continue;
      }
      const key = servicePortName(ns, svc, port.name ?? '');
      let eps = byPort.get(key);
      if (!eps) byPort.set(key, (eps = new Map()));
      for (const ep of slice.endpoints ?? []) {
        // Upstream uses the first address only (the EndpointSlice API allows just one today).
        const ip = ep.addresses?.[0];
        if (!ip || !isIPv4(ip)) {
          log.warn({ slice: `${ns}/${slice.metadata?.name}`, address: ip }, 'skipping endpoint with an invalid IPv4 address');
          continue;
        }
        // A nil condition means "ready"/"serving" as documented on EndpointConditions.
        const ready = ep.conditions?.ready ?? true;
        const info: EndpointInfo = {
          ip,
          port: port.port,
          ready,
          serving: ep.conditions?.serving ?? ready,
          terminating: ep.conditions?.terminating ?? false,
          isLocal: !!ep.nodeName && ep.nodeName === nodeName,
          ...(ep.nodeName ? { nodeName: ep.nodeName } : {}),
        };
        // The same endpoint in two slices (possible while slices are being rebalanced): first wins.
        const id = endpointString(info);
        if (!eps.has(id)) eps.set(id, info);
      }
    }
  }
  const out: EndpointsMap = new Map();
  for (const [key, eps] of byPort) {
    out.set(key, [...eps.values()].sort((a, b) => compareEndpoints(a, b)));
  }
  return out;
}

function compareEndpoints(a: EndpointInfo, b: EndpointInfo): number {
  const sa = endpointString(a);
  const sb = endpointString(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
