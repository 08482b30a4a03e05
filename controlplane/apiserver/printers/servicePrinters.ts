// `kubectl get svc|ep|endpointslices`: from upstream printService, printEndpoints and
// printEndpointSlice (pkg/printers/internalversion/printers.go).

import type { Endpoints, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { translateTimestampSince } from './age.ts';
import { formatLabels } from './labels.ts';
import { ageColumn, column, nameColumn, nameOf, type Printer } from './table.ts';

// Lists longer than this print the first three and "+ N more...".
const MAX_LISTED = 3;

/** Load balancer ingress addresses: IPs, else hostnames, sorted and de-duplicated (sets.String). */
function loadBalancerAddresses(svc: Service): string[] {
  const set = new Set<string>();
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    if (ing.ip) set.add(ing.ip);
    else if (ing.hostname) set.add(ing.hostname);
  }
  return [...set].sort();
}

/**
 * EXTERNAL-IP: externalIPs for ClusterIP and NodePort, the load balancer's addresses (or
 * "<pending>") for LoadBalancer, the DNS name for ExternalName. The server prints the wide
 * form, so load balancer addresses are never clipped.
 */
export function serviceExternalIP(svc: Service): string {
  const externalIPs = svc.spec?.externalIPs ?? [];
  switch (serviceType(svc)) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(svc);
      if (externalIPs.length > 0) return [...lb, ...externalIPs].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

// Upstream prints defaulted objects: type ClusterIP and protocol TCP when unset.
const serviceType = (svc: Service): string => svc.spec?.type ?? 'ClusterIP';

/** PORT(S): "80/TCP", or "80:30080/TCP" when a node port is allocated, comma-joined. */
export function servicePorts(ports: ServicePort[] | undefined): string {
  const text = (ports ?? [])
    .map((p) => {
      const protocol = p.protocol ?? 'TCP';
      return p.nodePort ? `${p.port}:${p.nodePort}/${protocol}` : `${p.port}/${protocol}`;
    })
    .join(',');
  return text || '<none>';
}

export const servicePrinter: Printer<Service> = {
  columns: [
    nameColumn(),
    column('Type', 'string', 'type determines how the Service is exposed. Defaults to ClusterIP.'),
    column('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    column('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    column('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    ageColumn(),
    column('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', { priority: 1 }),
  ],
  print(svc, now) {
    // Upstream reads clusterIPs; the v1 → internal conversion fills it from clusterIP when empty.
    const clusterIP = svc.spec?.clusterIPs?.[0] || svc.spec?.clusterIP || '<none>';
    return {
      cells: [
        nameOf(svc),
        serviceType(svc),
        clusterIP,
        serviceExternalIP(svc),
        servicePorts(svc.spec?.ports),
        translateTimestampSince(svc.metadata?.creationTimestamp, now),
        formatLabels(svc.spec?.selector),
      ],
    };
  },
};

/** net.JoinHostPort: IPv6 addresses get brackets. */
const joinHostPort = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** ENDPOINTS: "10.244.1.5:80,10.244.2.7:80 + 1 more...", "<none>" without subsets (formatEndpoints). */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      // Headless services may have no ports: list bare IPs.
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === MAX_LISTED) {
          more = true;
          break;
        }
        list.push(a.ip);
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === MAX_LISTED) {
          more = true;
          break;
        }
        list.push(joinHostPort(a.ip, port.port));
      }
    }
  }
  const text = list.join(',');
  return more ? `${text} + ${count - MAX_LISTED} more...` : text;
}

export const endpointsPrinter: Printer<Endpoints> = {
  columns: [
    nameColumn(),
    column('Endpoints', 'string', 'The set of all endpoints is the union of all subsets.'),
    ageColumn(),
  ],
  print(ep, now) {
    return { cells: [nameOf(ep), formatEndpoints(ep), translateTimestampSince(ep.metadata?.creationTimestamp, now)] };
  },
};

/** upstream listWithMoreString: "<unset>" for an empty list. */
function listWithMore(list: string[], more: boolean, count: number): string {
  const text = list.join(',');
  if (more) return `${text} + ${count - MAX_LISTED} more...`;
  return text || '<unset>';
}

/** PORTS of a slice: numbers, else names, else "*" (all ports). */
export function formatSlicePorts(ports: EndpointPort[] | undefined): string {
  const all = (ports ?? []).map((p) => (p.port != null ? String(p.port) : p.name != null ? p.name : '*'));
  return listWithMore(all.slice(0, MAX_LISTED), all.length > MAX_LISTED, all.length);
}

/** ENDPOINTS of a slice: every address of every endpoint, first three shown. */
export function formatSliceEndpoints(endpoints: Endpoint[] | undefined): string {
  const all = (endpoints ?? []).flatMap((e) => e.addresses ?? []);
  return listWithMore(all.slice(0, MAX_LISTED), all.length > MAX_LISTED, all.length);
}

export const endpointSlicePrinter: Printer<EndpointSlice> = {
  columns: [
    nameColumn(),
    column('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
    column('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    column('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
    ageColumn(),
  ],
  print(slice, now) {
    return {
      cells: [
        nameOf(slice),
        slice.addressType ?? '',
        formatSlicePorts(slice.ports),
        formatSliceEndpoints(slice.endpoints),
        translateTimestampSince(slice.metadata?.creationTimestamp, now),
      ],
    };
  },
};
