import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { buildContainerConfig, DEFAULT_MASKED_PATHS } from './containerConfig.ts';
import { hashContainer } from './labels.ts';
import { linuxContainerResources, milliCPUToQuota, milliCPUToShares, podCgroupParent, podQOSClass } from './resources.ts';
import { buildPodSandboxConfig, parseResolvConf, podDNSConfig, type SandboxOptions } from './sandboxConfig.ts';

const resolv = parseResolvConf('# generated\nnameserver 192.168.56.1\nnameserver 1.1.1.1\nsearch lab.local\noptions edns0 ndots:1\n');

const opts: SandboxOptions = {
  podLogsRoot: '/var/log/pods',
  cgroupRoot: '/',
  clusterDNS: ['10.96.0.10'],
  clusterDomain: 'cluster.local',
  hostResolvConf: resolv,
};

function nginxPod(spec: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    metadata: { name: 'nginx', namespace: 'web', uid: 'uid-42', labels: { app: 'nginx' }, annotations: { note: 'x' } },
    spec: {
      containers: [{ name: 'nginx', image: 'nginx:1.22.1', ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP' }] }],
      ...spec,
    },
  };
}

describe('buildPodSandboxConfig', () => {
  it('builds metadata, hostname, log directory, ports, labels and Linux settings', () => {
    const cfg = buildPodSandboxConfig(nginxPod(), 3, opts);
    expect(cfg).toEqual({
      metadata: { name: 'nginx', namespace: 'web', uid: 'uid-42', attempt: 3 },
      hostname: 'nginx',
      log_directory: '/var/log/pods/web_nginx_uid-42',
      dns_config: { servers: ['10.96.0.10'], searches: ['web.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'lab.local'], options: ['ndots:5'] },
      port_mappings: [
        { protocol: 'TCP', container_port: 80, host_port: 8080, host_ip: '' },
        { protocol: 'UDP', container_port: 53, host_port: 0, host_ip: '' },
      ],
      labels: { app: 'nginx', 'io.kubernetes.pod.name': 'nginx', 'io.kubernetes.pod.namespace': 'web', 'io.kubernetes.pod.uid': 'uid-42' },
      annotations: { note: 'x' },
      linux: {
        cgroup_parent: '/kubepods/besteffort/poduid-42',
        sysctls: {},
        security_context: { namespace_options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' }, privileged: false, supplemental_groups: [] },
      },
    });
  });

  it('a host-network pod has no hostname and the node network namespace', () => {
    const cfg = buildPodSandboxConfig(nginxPod({ hostNetwork: true, hostPID: true }), 0, opts);
    expect(cfg.hostname).toBe('');
    expect(cfg.linux?.security_context?.namespace_options).toEqual({ network: 'NODE', pid: 'NODE', ipc: 'POD' });
    // ClusterFirst on the host network keeps the node's resolver.
    expect(cfg.dns_config).toEqual({ servers: ['192.168.56.1', '1.1.1.1'], searches: ['lab.local'], options: ['edns0', 'ndots:1'] });
  });

  it('spec.hostname, shareProcessNamespace, privileged containers, pod security context and sysctls', () => {
    const pod = nginxPod({
      hostname: 'web-0',
      shareProcessNamespace: true,
      securityContext: { runAsUser: 1000, runAsGroup: 2000, fsGroup: 3000, supplementalGroups: [4000], sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] },
    });
    pod.spec!.containers[0].securityContext = { privileged: true };
    const cfg = buildPodSandboxConfig(pod, 0, opts);
    expect(cfg.hostname).toBe('web-0');
    expect(cfg.linux).toMatchObject({
      sysctls: { 'net.core.somaxconn': '1024' },
      security_context: {
        namespace_options: { pid: 'POD' },
        privileged: true,
        run_as_user: { value: 1000 },
        run_as_group: { value: 2000 },
        supplemental_groups: [3000, 4000],
      },
    });
  });
});

describe('podDNSConfig', () => {
  const cases: { name: string; spec: Partial<NonNullable<Pod['spec']>>; clusterDNS?: string[]; want: object }[] = [
    { name: 'Default uses the node resolver', spec: { dnsPolicy: 'Default' }, want: { servers: ['192.168.56.1', '1.1.1.1'], searches: ['lab.local'], options: ['edns0', 'ndots:1'] } },
    { name: 'ClusterFirst without cluster DNS falls back to Default', spec: {}, clusterDNS: [], want: { servers: ['192.168.56.1', '1.1.1.1'] } },
    { name: 'ClusterFirstWithHostNet on the host network uses cluster DNS', spec: { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }, want: { servers: ['10.96.0.10'], options: ['ndots:5'] } },
    {
      name: 'None takes only dnsConfig',
      spec: { dnsPolicy: 'None', dnsConfig: { nameservers: ['9.9.9.9'], searches: ['a.b'], options: [{ name: 'ndots', value: '2' }, { name: 'rotate' }] } },
      want: { servers: ['9.9.9.9'], searches: ['a.b'], options: ['ndots:2', 'rotate'] },
    },
    {
      name: 'dnsConfig adds to ClusterFirst and overrides options by name',
      spec: { dnsConfig: { nameservers: ['10.96.0.10', '8.8.8.8'], searches: ['extra.local'], options: [{ name: 'ndots', value: '1' }] } },
      want: { servers: ['10.96.0.10', '8.8.8.8'], searches: ['web.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'lab.local', 'extra.local'], options: ['ndots:1'] },
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => expect(podDNSConfig(nginxPod(tc.spec), { ...opts, clusterDNS: tc.clusterDNS ?? opts.clusterDNS })).toMatchObject(tc.want));
  }
});

describe('QoS, cgroups and container resources', () => {
  const withResources = (requests?: Record<string, string>, limits?: Record<string, string>): Pod => ({
    metadata: { name: 'p', namespace: 'default', uid: 'u' },
    spec: { containers: [{ name: 'c', resources: { requests, limits } }] },
  });
  const cases: { name: string; pod: Pod; qos: string; parent: string }[] = [
    { name: 'no resources: BestEffort', pod: withResources(), qos: 'BestEffort', parent: '/kubepods/besteffort/podu' },
    { name: 'requests only: Burstable', pod: withResources({ cpu: '100m' }), qos: 'Burstable', parent: '/kubepods/burstable/podu' },
    { name: 'limits = requests for cpu and memory: Guaranteed', pod: withResources({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' }), qos: 'Guaranteed', parent: '/kubepods/podu' },
    { name: 'limits only (requests default to them): Guaranteed', pod: withResources(undefined, { cpu: '500m', memory: '64Mi' }), qos: 'Guaranteed', parent: '/kubepods/podu' },
    { name: 'memory limit only: Burstable', pod: withResources(undefined, { memory: '64Mi' }), qos: 'Burstable', parent: '/kubepods/burstable/podu' },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(podQOSClass(tc.pod)).toBe(tc.qos);
      expect(podCgroupParent(tc.pod, '/')).toBe(tc.parent);
    });
  }

  it('cgroup root prefixes the pod cgroup', () => expect(podCgroupParent(withResources(), '/test-1/')).toBe('/test-1/kubepods/besteffort/podu'));

  it('converts CPU and memory like upstream', () => {
    expect(milliCPUToShares(0)).toBe(2);
    expect(milliCPUToShares(1)).toBe(2);
    expect(milliCPUToShares(250)).toBe(256);
    expect(milliCPUToShares(1000)).toBe(1024);
    expect(milliCPUToQuota(0)).toBe(0);
    expect(milliCPUToQuota(5)).toBe(1000);
    expect(milliCPUToQuota(500)).toBe(50_000);
    const burstable = withResources({ cpu: '250m', memory: '1Gi' }, { cpu: '500m', memory: '2Gi' });
    expect(linuxContainerResources(burstable, burstable.spec!.containers[0], 4 * 1024 ** 3)).toEqual({
      cpu_shares: 256,
      cpu_period: 100_000,
      cpu_quota: 50_000,
      memory_limit_in_bytes: 2 * 1024 ** 3,
      oom_score_adj: 750,
    });
    const guaranteed = withResources(undefined, { cpu: '1', memory: '1Gi' });
    expect(linuxContainerResources(guaranteed, guaranteed.spec!.containers[0], 4 * 1024 ** 3)).toMatchObject({ cpu_shares: 1024, cpu_quota: 100_000, oom_score_adj: -997 });
    const best = withResources();
    expect(linuxContainerResources(best, best.spec!.containers[0], 4 * 1024 ** 3)).toEqual({ cpu_shares: 2, cpu_period: 100_000, cpu_quota: 0, oom_score_adj: 1000 });
  });
});

describe('buildContainerConfig', () => {
  it('maps command, args, env, mounts, security context and log path', () => {
    const pod = nginxPod({
      volumes: [{ name: 'data', hostPath: { path: '/srv/data' } }, { name: 'cache', emptyDir: {} }],
      securityContext: { runAsUser: 101 },
    });
    const c = pod.spec!.containers[0];
    Object.assign(c, {
      command: ['nginx'],
      args: ['-g', 'daemon off; # $(MODE)'],
      workingDir: '/srv',
      terminationMessagePath: '/dev/termination-log',
      volumeMounts: [
        { name: 'data', mountPath: '/data', readOnly: true },
        { name: 'cache', mountPath: '/cache/one', subPath: 'one' },
        { name: 'cache', mountPath: '/cache/mine', subPathExpr: '$(POD_NAME)' },
      ],
      securityContext: { capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
    });
    const cfg = buildContainerConfig(pod, c, {
      restartCount: 2,
      imageRef: 'sha256:abc',
      env: [
        { key: 'MODE', value: 'prod' },
        { key: 'POD_NAME', value: 'nginx' },
      ],
      volumes: new Map([
        ['data', { hostPath: '/srv/data' }],
        ['cache', { hostPath: '/var/lib/kubelet/pods/uid-42/volumes/kubernetes.io~empty-dir/cache' }],
      ]),
      terminationMessageHostPath: '/var/lib/kubelet/pods/uid-42/containers/nginx/abcd',
      memoryCapacity: 1024 ** 3,
    });
    expect(cfg).toMatchObject({
      metadata: { name: 'nginx', attempt: 2 },
      image: { image: 'sha256:abc', user_specified_image: 'nginx:1.22.1' },
      command: ['nginx'],
      args: ['-g', 'daemon off; # prod'],
      working_dir: '/srv',
      log_path: 'nginx/2.log',
      labels: { 'io.kubernetes.container.name': 'nginx', 'io.kubernetes.pod.uid': 'uid-42', 'io.kubernetes.pod.name': 'nginx', 'io.kubernetes.pod.namespace': 'web' },
      annotations: { 'io.kubernetes.container.hash': hashContainer(c), 'io.kubernetes.container.restartCount': '2' },
      mounts: [
        { container_path: '/data', host_path: '/srv/data', readonly: true, propagation: 'PROPAGATION_PRIVATE' },
        { container_path: '/cache/one', host_path: '/var/lib/kubelet/pods/uid-42/volumes/kubernetes.io~empty-dir/cache/one', readonly: false },
        { container_path: '/cache/mine', host_path: '/var/lib/kubelet/pods/uid-42/volumes/kubernetes.io~empty-dir/cache/nginx' },
        { container_path: '/dev/termination-log', host_path: '/var/lib/kubelet/pods/uid-42/containers/nginx/abcd' },
      ],
      linux: {
        security_context: {
          capabilities: { add_capabilities: ['NET_ADMIN'], drop_capabilities: ['ALL'] },
          privileged: false,
          run_as_user: { value: 101 },
          readonly_rootfs: true,
          no_new_privs: true,
          masked_paths: DEFAULT_MASKED_PATHS,
        },
      },
    });
  });

  it('a mount of an unknown volume or an escaping subPath is a config error', () => {
    const pod = nginxPod();
    const base = { restartCount: 0, imageRef: 'x', env: [], memoryCapacity: 1 };
    const c1 = { ...pod.spec!.containers[0], volumeMounts: [{ name: 'nope', mountPath: '/x' }] };
    expect(() => buildContainerConfig(pod, c1, { ...base, volumes: new Map() })).toThrow(/cannot find volume "nope"/);
    const c2 = { ...pod.spec!.containers[0], volumeMounts: [{ name: 'v', mountPath: '/x', subPath: '../etc' }] };
    expect(() => buildContainerConfig(pod, c2, { ...base, volumes: new Map([['v', { hostPath: '/v' }]]) })).toThrow(/invalid subPath/);
  });

  it('a privileged container sees unmasked /proc', () => {
    const pod = nginxPod();
    const c = { ...pod.spec!.containers[0], securityContext: { privileged: true } };
    const cfg = buildContainerConfig(pod, c, { restartCount: 0, imageRef: 'x', env: [], volumes: new Map(), memoryCapacity: 1 });
    expect(cfg.linux?.security_context).toMatchObject({ privileged: true, masked_paths: [], readonly_paths: [] });
  });
});
