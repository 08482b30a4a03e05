// The pod's sandbox (its network namespace and pause container), as CRI PodSandboxConfig
// (upstream kuberuntime_sandbox.go generatePodSandboxConfig, pkg/kubelet/network/dns/dns.go
// GetPodDNS). Pure: tested by tables.
import path from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { DNSConfig, NamespaceMode, PodSandboxConfig, PortMapping, Protocol } from '../cri/criTypes.ts';
import { sandboxAnnotations, sandboxLabels } from './labels.ts';
import { podCgroupParent } from './resources.ts';

/** kubelet --pod-logs-root default (pkg/kubelet/kuberuntime: podLogsRootDirectory). */
export const DEFAULT_POD_LOGS_ROOT = '/var/log/pods';
/** Options every ClusterFirst pod gets (upstream defaultDNSOptions). */
const CLUSTER_DNS_OPTIONS = ['ndots:5'];
/** glibc's historic search list limit that upstream validates against (MaxDNSSearchPaths). */
const MAX_DNS_SEARCH_PATHS = 32;
/** Linux hostnames are at most 63 characters (upstream hostnameMaxLen). */
const HOSTNAME_MAX_LEN = 63;

/** The node's /etc/resolv.conf (kubelet --resolv-conf), parsed. */
export interface ResolvConf {
  servers: string[];
  searches: string[];
  options: string[];
}

export interface SandboxOptions {
  podLogsRoot: string;
  /** --cgroup-root: "/" normally; tests use their own. */
  cgroupRoot: string;
  /** --cluster-dns: the cluster DNS Service IPs; empty → ClusterFirst falls back to Default. */
  clusterDNS: string[];
  /** --cluster-domain. */
  clusterDomain: string;
  hostResolvConf: ResolvConf;
}

export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...fields] = line.split(/\s+/);
    if (key === 'nameserver' && fields[0]) conf.servers.push(fields[0]);
    else if (key === 'search') conf.searches = fields;
    else if (key === 'options') conf.options.push(...fields);
  }
  return conf;
}

/** <podLogsRoot>/<namespace>_<name>_<uid>: where the runtime writes each container's N.log. */
export function podLogDirectory(pod: Pod, podLogsRoot: string): string {
  return path.join(podLogsRoot, `${pod.metadata?.namespace}_${pod.metadata?.name}_${pod.metadata?.uid}`);
}

/** Upstream GeneratePodHostNameAndDomain + truncation: spec.hostname or the pod's name. */
export function podHostname(pod: Pod): string {
  const name = pod.spec?.hostname || pod.metadata?.name || '';
  return name.length <= HOSTNAME_MAX_LEN ? name : name.slice(0, HOSTNAME_MAX_LEN).replace(/[-.]+$/, '');
}

type DNSMode = 'cluster' | 'host' | 'none';

function dnsMode(pod: Pod, clusterDNS: string[]): DNSMode {
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  const hostNetwork = pod.spec?.hostNetwork === true;
  let mode: DNSMode;
  if (policy === 'None') mode = 'none';
  else if (policy === 'Default') mode = 'host';
  else if (policy === 'ClusterFirstWithHostNet') mode = 'cluster';
  // ClusterFirst on the host network keeps the node's resolver (upstream getPodDNSType).
  else mode = hostNetwork ? 'host' : 'cluster';
  // No cluster DNS configured: upstream falls back to the Default policy.
  if (mode === 'cluster' && clusterDNS.length === 0) mode = 'host';
  return mode;
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

/** Options merge by name ("ndots:2" replaces "ndots:5"), as upstream mergeDNSOptions. */
function mergeOptions(base: string[], extra: { name?: string; value?: string }[]): string[] {
  const byName = new Map<string, string>();
  for (const o of base) byName.set(o.split(':')[0], o);
  for (const o of extra) if (o.name) byName.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
  return [...byName.values()];
}

export function podDNSConfig(pod: Pod, opts: Pick<SandboxOptions, 'clusterDNS' | 'clusterDomain' | 'hostResolvConf'>): DNSConfig {
  const mode = dnsMode(pod, opts.clusterDNS);
  let dns: DNSConfig;
  if (mode === 'cluster') {
    const ns = pod.metadata?.namespace ?? 'default';
    const d = opts.clusterDomain;
    dns = {
      servers: [...opts.clusterDNS],
      searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...opts.hostResolvConf.searches],
      options: [...CLUSTER_DNS_OPTIONS],
    };
  } else if (mode === 'host') {
    dns = { servers: [...opts.hostResolvConf.servers], searches: [...opts.hostResolvConf.searches], options: [...opts.hostResolvConf.options] };
  } else {
    dns = { servers: [], searches: [], options: [] };
  }
  const extra = pod.spec?.dnsConfig;
  if (extra) {
    dns.servers = unique([...dns.servers, ...(extra.nameservers ?? [])]);
    dns.searches = unique([...dns.searches, ...(extra.searches ?? [])]);
    dns.options = mergeOptions(dns.options, extra.options ?? []);
  }
  dns.searches = unique(dns.searches).slice(0, MAX_DNS_SEARCH_PATHS);
  return dns;
}

/** Every declared container port; CNI portmap publishes those with a hostPort. */
export function podPortMappings(pod: Pod): PortMapping[] {
  const mappings: PortMapping[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      mappings.push({
        protocol: (p.protocol ?? 'TCP') as Protocol,
        container_port: p.containerPort,
        host_port: p.hostPort ?? 0,
        host_ip: p.hostIP ?? '',
      });
    }
  }
  return mappings;
}

function namespaceModes(pod: Pod): { network: NamespaceMode; pid: NamespaceMode; ipc: NamespaceMode } {
  const spec = pod.spec;
  return {
    network: spec?.hostNetwork ? 'NODE' : 'POD',
    pid: spec?.hostPID ? 'NODE' : spec?.shareProcessNamespace ? 'POD' : 'CONTAINER',
    ipc: spec?.hostIPC ? 'NODE' : 'POD',
  };
}

export function buildPodSandboxConfig(pod: Pod, attempt: number, opts: SandboxOptions): PodSandboxConfig {
  const sc = pod.spec?.securityContext;
  const anyPrivileged = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].some((c) => c.securityContext?.privileged);
  const sysctls = Object.fromEntries((sc?.sysctls ?? []).map((s) => [s.name, s.value]));
  return {
    metadata: {
      name: pod.metadata?.name ?? '',
      namespace: pod.metadata?.namespace ?? '',
      uid: pod.metadata?.uid ?? '',
      attempt,
    },
    // A host-network sandbox must not set a hostname (containerd refuses to change the node's).
    hostname: pod.spec?.hostNetwork ? '' : podHostname(pod),
    log_directory: podLogDirectory(pod, opts.podLogsRoot),
    dns_config: podDNSConfig(pod, opts),
    port_mappings: podPortMappings(pod),
    labels: sandboxLabels(pod),
    annotations: sandboxAnnotations(pod),
    linux: {
      cgroup_parent: podCgroupParent(pod, opts.cgroupRoot),
      sysctls,
      security_context: {
        namespace_options: namespaceModes(pod),
        privileged: anyPrivileged,
        ...(sc?.runAsUser !== undefined ? { run_as_user: { value: sc.runAsUser } } : {}),
        ...(sc?.runAsGroup !== undefined ? { run_as_group: { value: sc.runAsGroup } } : {}),
        supplemental_groups: [...(sc?.fsGroup !== undefined ? [sc.fsGroup] : []), ...(sc?.supplementalGroups ?? [])],
      },
    },
  };
}
