import { describe, expect, it } from 'vitest';
import { containerdPaths, mirrorHostsFiles, renderContainerdConfig, renderHostsToml } from './containerdConfig.ts';
import { labNetwork, lanPortName, podRoutes } from './netns.ts';
import { renderRegistryConfig } from './registry.ts';

describe('containerd config for a lab node', () => {
  it('gives each node its own root, state, sockets, runc root, CNI and mirror folders (golden)', () => {
    const paths = containerdPaths('/var/lib/k8ts-lab/nodes/worker-0');
    expect(renderContainerdConfig(paths, { sandboxImage: 'registry.k8s.io/pause:3.9' })).toBe(`# containerd for one lab node (config version 2, containerd 1.6).
version = 2
root = "/var/lib/k8ts-lab/nodes/worker-0/containerd/root"
state = "/var/lib/k8ts-lab/nodes/worker-0/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]

[grpc]
  address = "/var/lib/k8ts-lab/nodes/worker-0/containerd/containerd.sock"

[ttrpc]
  address = "/var/lib/k8ts-lab/nodes/worker-0/containerd/containerd.sock.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "/var/lib/k8ts-lab/nodes/worker-0/containerd/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.9"
  # exec/attach/port-forward streams: the kubelet proxies them, so loopback and any free port.
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  disable_apparmor = true
  # Without CAP_SYS_RESOURCE runc cannot lower oom_score_adj ("can't get final child's PID from pipe").
  restrict_oom_score_adj = true

[plugins."io.containerd.grpc.v1.cri".containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = false
  Root = "/var/lib/k8ts-lab/nodes/worker-0/containerd/runc"

[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "/usr/lib/cni"
  conf_dir = "/var/lib/k8ts-lab/nodes/worker-0/cni/net.d"
  max_conf_num = 1

[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "/var/lib/k8ts-lab/nodes/worker-0/containerd/certs.d"
`);
  });

  it('keeps the CRI socket path short enough for a unix socket', () => {
    expect(Buffer.byteLength(containerdPaths('/var/lib/k8ts-lab/nodes/worker-1').socket)).toBeLessThan(108);
  });

  it('mirrors docker.io, and the registry under its own name, to the plain-HTTP lab registry', () => {
    const hosts = `server = "http://192.168.56.10:5000"

[host."http://192.168.56.10:5000"]
  capabilities = ["pull", "resolve"]
`;
    expect(renderHostsToml('192.168.56.10:5000')).toBe(hosts);
    expect(mirrorHostsFiles('192.168.56.10:5000')).toEqual({ 'docker.io/hosts.toml': hosts, '192.168.56.10:5000/hosts.toml': hosts });
  });
});

describe('registry config', () => {
  it('serves plain HTTP on the given address with filesystem storage and deletes enabled (golden)', () => {
    expect(renderRegistryConfig({ addr: '192.168.56.10:5000', storageDir: '/var/lib/k8ts-lab/registry/storage' })).toBe(`version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: "/var/lib/k8ts-lab/registry/storage"
  delete:
    enabled: true
http:
  addr: "192.168.56.10:5000"
`);
  });
});

describe('the lab address plan', () => {
  it('matches the Vagrant lab: master .10, worker-0 .11, worker-1 .12, podCIDRs 10.244.N.0/24', () => {
    const net = labNetwork();
    expect(net.lanNamespace).toBe('lan');
    expect(net.bridge).toBe('br-lan');
    expect(net.nodes).toEqual([
      { name: 'master', address: '192.168.56.10', podCIDR: '10.244.1.0/24' },
      { name: 'worker-0', address: '192.168.56.11', podCIDR: '10.244.2.0/24' },
      { name: 'worker-1', address: '192.168.56.12', podCIDR: '10.244.3.0/24' },
    ]);
  });

  it('routes every other node’s podCIDR via that node (host-gw)', () => {
    const net = labNetwork();
    expect(podRoutes(net, net.nodes[1])).toEqual([
      { dest: '10.244.1.0/24', via: '192.168.56.10' },
      { dest: '10.244.3.0/24', via: '192.168.56.12' },
    ]);
  });

  it('lets tests use their own names and /24', () => {
    const net = labNetwork({ namePrefix: 't1-', nodeNames: ['a'], lanPrefix: '192.168.99', podSecondOctet: 99 });
    expect(net.lanNamespace).toBe('t1-lan');
    expect(net.bridgeAddress).toBe('192.168.99.1');
    expect(net.nodes).toEqual([{ name: 't1-a', address: '192.168.99.10', podCIDR: '10.99.1.0/24' }]);
    expect(lanPortName(net, net.nodes[0])).toBe('veth0');
  });
});
