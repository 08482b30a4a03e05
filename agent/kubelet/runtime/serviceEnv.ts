// Service environment variables (upstream pkg/kubelet/envvars/envvars.go and
// kubelet_pods.go getServiceEnvVarMap): for each Service with a cluster IP, the Docker-links
// style variables a container sees — NGINX_SERVICE_HOST, NGINX_SERVICE_PORT,
// NGINX_PORT=tcp://10.96.0.10:80, NGINX_PORT_80_TCP_ADDR …
import type { EnvVar, Pod, Service } from 'kubernetes-types/core/v1.js';

/** Where the apiserver's own Service lives; its variables are always set (upstream masterServiceNamespace). */
export const MASTER_SERVICE_NAMESPACE = 'default';
const MASTER_SERVICE_NAMES = new Set(['kubernetes']);

/** "my-svc" → "MY_SVC". */
export function envVarName(serviceName: string): string {
  return serviceName.replaceAll('-', '_').toUpperCase();
}

function hasClusterIP(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return ip !== undefined && ip !== '' && ip !== 'None';
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The variables for a list of Services, in upstream's order. */
export function fromServices(services: Service[]): EnvVar[] {
  const result: EnvVar[] = [];
  for (const svc of services) {
    if (!hasClusterIP(svc)) continue;
    const ports = svc.spec?.ports ?? [];
    if (ports.length === 0) continue;
    const ip = svc.spec!.clusterIP!;
    const prefix = envVarName(svc.metadata?.name ?? '');
    result.push({ name: `${prefix}_SERVICE_HOST`, value: ip });
    result.push({ name: `${prefix}_SERVICE_PORT`, value: String(ports[0].port) });
    for (const p of ports) {
      if (p.name) result.push({ name: `${prefix}_SERVICE_PORT_${envVarName(p.name)}`, value: String(p.port) });
    }
    ports.forEach((p, i) => {
      const protocol = p.protocol ?? 'TCP';
      const url = `${protocol.toLowerCase()}://${joinHostPort(ip, p.port)}`;
      // Docker links special-case the first port.
      if (i === 0) result.push({ name: `${prefix}_PORT`, value: url });
      const portPrefix = `${prefix}_PORT_${p.port}_${protocol.toUpperCase()}`;
      result.push(
        { name: portPrefix, value: url },
        { name: `${portPrefix}_PROTO`, value: protocol.toLowerCase() },
        { name: `${portPrefix}_PORT`, value: String(p.port) },
        { name: `${portPrefix}_ADDR`, value: ip },
      );
    });
  }
  return result;
}

/**
 * Which Services a pod's containers see: those of its namespace when enableServiceLinks (default
 * true), and always the `kubernetes` Service of `default` (unless the namespace has its own of
 * that name).
 */
export function serviceEnvVars(pod: Pod, services: Service[]): Map<string, string> {
  const ns = pod.metadata?.namespace ?? 'default';
  const enableServiceLinks = pod.spec?.enableServiceLinks ?? true;
  const chosen = new Map<string, Service>();
  for (const svc of services) {
    if (!hasClusterIP(svc)) continue;
    const name = svc.metadata?.name ?? '';
    const svcNs = svc.metadata?.namespace ?? '';
    if (svcNs === MASTER_SERVICE_NAMESPACE && MASTER_SERVICE_NAMES.has(name)) {
      if (!chosen.has(name)) chosen.set(name, svc);
    } else if (svcNs === ns && enableServiceLinks) {
      chosen.set(name, svc);
    }
  }
  const sorted = [...chosen.values()].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  return new Map(fromServices(sorted).map((e) => [e.name, e.value ?? '']));
}
