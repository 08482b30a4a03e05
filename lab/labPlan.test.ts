// The lab's plan, command lines and credentials, without root: names, addresses and paths are
// computed before anything runs, so they are checked here as plain data.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { createCA, signLeaf } from '../controlplane/apiserver/pki.ts';
import { everyDaemon } from './labDown.ts';
import { nodeIdentities, renderAdminKubeconfig, writeNodeCredentials } from './labCredentials.ts';
import { kubeletCommand, labDaemons, labPlan, nthAddress, proxyCommand, serverCommand } from './labPlan.ts';
import { readyNodeNames } from './labProbes.ts';
import { formatStatus, type LabStatus } from './labStatus.ts';
import { nodeNamespace } from './lab.ts';

/** The value following a flag in a command line. */
const flag = (cmd: string[], name: string) => cmd[cmd.indexOf(name) + 1];

describe('labPlan', () => {
  it('lays out the Vagrant lab by default: master .10, worker-0 .11, worker-1 .12 under /var/lib/k8ts-lab', () => {
    const plan = labPlan();
    expect(plan.nodes.map((n) => [n.name, n.address, n.master])).toEqual([
      ['master', '192.168.56.10', true],
      ['worker-0', '192.168.56.11', false],
      ['worker-1', '192.168.56.12', false],
    ]);
    expect(plan.net.lanNamespace).toBe('lan');
    expect(plan.apiURL).toBe('https://192.168.56.10:6443');
    expect(plan.relay).toEqual({ host: '127.0.0.1', port: 6443, socket: '/var/lib/k8ts-lab/run/apiserver.sock', url: 'https://127.0.0.1:6443' });
    expect(plan.adminKubeconfig).toBe('/var/lib/k8ts-lab/admin.kubeconfig');
    expect(plan.registry.address).toBe('192.168.56.10:5000');
    expect(plan.blackholes).toEqual(['192.168.56.0/24', '10.244.0.0/16', '10.96.0.0/12']);
    expect(plan.clusterDNS).toBe('10.96.0.10');
    expect(plan.cgroupRoot).toBe('/');
    expect(plan.cgroupTree).toBe('kubepods');
    expect(plan.components).toEqual({ images: true, kubelet: true, proxy: true, examples: true });
  });

  it('gives a test lab its own names, ranges, directories, relay port and cgroup tree', () => {
    const plan = labPlan({ namePrefix: 't1-', lanPrefix: '192.168.158', podSecondOctet: 158, serviceCIDR: '10.159.0.0/16', labDir: '/tmp/t1', relayPort: 16443 });
    expect(plan.nodes.map((n) => n.name)).toEqual(['t1-master', 't1-worker-0', 't1-worker-1']);
    expect(plan.net.lanNamespace).toBe('t1-lan');
    expect(plan.blackholes).toEqual(['192.168.158.0/24', '10.158.0.0/16', '10.159.0.0/16']);
    expect(plan.clusterDNS).toBe('10.159.0.10');
    expect(plan.relay.url).toBe('https://127.0.0.1:16443');
    expect(plan.relay.socket).toBe('/tmp/t1/run/apiserver.sock');
    expect(plan.cgroupRoot).toBe('/t1-pods');
    expect(plan.cgroupTree).toBe('t1-pods');
    expect(plan.nodes[1].containerd.socket).toBe('/tmp/t1/nodes/t1-worker-0/containerd/containerd.sock');
  });

  it('turns examples off without kubelets (no node would run them)', () => {
    expect(labPlan({ components: { kubelet: false } }).components).toEqual({ images: true, kubelet: false, proxy: true, examples: false });
  });

  it('computes addresses inside a range', () => {
    expect(nthAddress('10.96.0.0/12', 10)).toBe('10.96.0.10');
    expect(nthAddress('10.0.0.250/24', 10)).toBe('10.0.1.4');
  });
});

describe('command lines', () => {
  const plan = labPlan({ k8ts: ['node', 'k8ts.mjs'] });

  it('runs k8ts server on the master address with the relay host in its certificate', () => {
    expect(serverCommand(plan)).toEqual([
      'node', 'k8ts.mjs', 'server',
      '--data-dir', '/var/lib/k8ts-lab/master',
      '--bind-address', '192.168.56.10',
      '--secure-port', '6443',
      '--cluster-cidr', '10.244.0.0/16',
      '--service-cluster-ip-range', '10.96.0.0/12',
      '--tls-san', '127.0.0.1',
    ]);
    const etcd = serverCommand(labPlan({ k8ts: ['k8ts'], storage: 'etcd' }));
    expect(etcd.slice(-4)).toEqual(['--storage', 'etcd', '--etcd-servers', 'http://127.0.0.1:2379']);
  });

  it('starts the kubelet with its node, runtime socket and directories; only the master registers as control plane', () => {
    const [master, worker] = plan.nodes;
    const cmd = kubeletCommand(plan, worker);
    expect(cmd.slice(0, 3)).toEqual(['node', 'k8ts.mjs', 'kubelet']);
    expect(flag(cmd, '--hostname-override')).toBe('worker-0');
    expect(flag(cmd, '--node-ip')).toBe('192.168.56.11');
    expect(flag(cmd, '--container-runtime-endpoint')).toBe('unix:///var/lib/k8ts-lab/nodes/worker-0/containerd/containerd.sock');
    expect(flag(cmd, '--kubeconfig')).toBe('/var/lib/k8ts-lab/nodes/worker-0/kubelet.kubeconfig');
    expect(flag(cmd, '--cni-conf-dir')).toBe(worker.containerd.cniConfDir);
    expect(flag(cmd, '--cluster-dns')).toBe('10.96.0.10');
    expect(flag(cmd, '--client-ca-file')).toBe('/var/lib/k8ts-lab/master/pki/ca.crt');
    expect(cmd).not.toContain('--master');
    expect(kubeletCommand(plan, master)).toContain('--master');
  });

  it('starts the proxy with the node name and address', () => {
    const cmd = proxyCommand(plan, plan.nodes[2]);
    expect(cmd.slice(2, 3)).toEqual(['proxy']);
    expect(flag(cmd, '--hostname-override')).toBe('worker-1');
    expect(flag(cmd, '--node-ip')).toBe('192.168.56.12');
    expect(flag(cmd, '--proxy-mode')).toBe('iptables');
    expect(flag(cmd, '--kubeconfig')).toBe('/var/lib/k8ts-lab/nodes/worker-1/proxy.kubeconfig');
  });
});

describe('labDaemons', () => {
  it('lists every process in start order, with a marker its command line contains', () => {
    const plan = labPlan();
    const daemons = labDaemons(plan);
    expect(daemons.map((d) => `${d.component}@${d.node}`)).toEqual([
      'registry@master',
      'containerd@master', 'containerd@worker-0', 'containerd@worker-1',
      'control-plane@master',
      'relay@master', 'relay@host',
      'kubelet@master', 'kubelet@worker-0', 'kubelet@worker-1',
      'proxy@master', 'proxy@worker-0', 'proxy@worker-1',
    ]);
    for (const d of daemons.filter((x) => x.command.length > 0)) expect(d.command.join(' ')).toContain(d.marker);
    // The root namespace runs only the loopback relay, from loopback to the socket.
    const host = daemons.find((d) => d.node === 'host')!;
    expect(host.ns).toBeUndefined();
    expect(host.command.slice(-4)).toEqual(['--listen', 'tcp:127.0.0.1:6443', '--connect', 'unix:/var/lib/k8ts-lab/run/apiserver.sock']);
    const inMaster = daemons.find((d) => d.component === 'relay' && d.node === 'master')!;
    expect(inMaster.command.slice(-4)).toEqual(['--listen', 'unix:/var/lib/k8ts-lab/run/apiserver.sock', '--connect', 'tcp:192.168.56.10:6443']);
    expect(new Set(daemons.map((d) => d.pidFile)).size).toBe(daemons.length);
  });

  it('includes etcd with --storage etcd, and down considers every daemon whatever up was given', () => {
    expect(labDaemons(labPlan({ storage: 'etcd' })).map((d) => d.component)).toContain('etcd');
    expect(labDaemons(labPlan({ components: { images: false } })).map((d) => d.component)).not.toContain('registry');
    const minimal = labPlan({ components: { kubelet: false, proxy: false } });
    expect(labDaemons(minimal).map((d) => d.component)).not.toContain('kubelet');
    expect(everyDaemon(minimal).map((d) => d.component)).toEqual(expect.arrayContaining(['kubelet', 'proxy', 'etcd']));
  });
});

describe('credentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-labcreds-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the kubelet system:node:<node> in system:nodes and the proxy system:kube-proxy', () => {
    expect(nodeIdentities({ name: 'worker-0' })).toEqual({
      kubelet: { commonName: 'system:node:worker-0', organizations: ['system:nodes'] },
      proxy: { commonName: 'system:kube-proxy', organizations: [] },
    });
  });

  it('writes node kubeconfigs for the master address and a kubelet serving certificate, once per CA', async () => {
    const plan = labPlan({ labDir: dir });
    const node = plan.nodes[1];
    const { mkdirSync } = await import('node:fs');
    mkdirSync(node.dir, { recursive: true });
    const ca = await createCA();
    await writeNodeCredentials(plan, node, ca);
    const kubelet = parse(readFileSync(node.kubeletKubeconfig, 'utf8'));
    expect(kubelet.clusters[0].cluster.server).toBe('https://192.168.56.10:6443');
    expect(Buffer.from(kubelet.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe(ca.cert);
    const clientCert = new X509Certificate(Buffer.from(kubelet.users[0].user['client-certificate-data'], 'base64'));
    expect(clientCert.subject).toBe('CN=system:node:worker-0\nO=system:nodes');
    const proxy = parse(readFileSync(node.proxyKubeconfig, 'utf8'));
    expect(new X509Certificate(Buffer.from(proxy.users[0].user['client-certificate-data'], 'base64')).subject).toBe('CN=system:kube-proxy');
    const serving = new X509Certificate(readFileSync(node.kubeletCert));
    expect(serving.subjectAltName).toBe('DNS:worker-0, IP Address:192.168.56.11');
    expect(serving.verify(new X509Certificate(ca.cert).publicKey)).toBe(true);

    // Same CA: nothing rewritten (running components keep what they loaded).
    const before = readFileSync(node.kubeletKubeconfig, 'utf8');
    await writeNodeCredentials(plan, node, ca);
    expect(readFileSync(node.kubeletKubeconfig, 'utf8')).toBe(before);
    // A new CA (fresh control plane): rewritten.
    const other = await createCA();
    await writeNodeCredentials(plan, node, other);
    expect(readFileSync(node.kubeletKubeconfig, 'utf8')).not.toBe(before);
    expect(new X509Certificate(readFileSync(node.kubeletCert)).verify(new X509Certificate(other.cert).publicKey)).toBe(true);
  });

  it("points kubectl's kubeconfig at the loopback relay", async () => {
    const ca = await createCA();
    const admin = await signLeaf(ca, { commonName: 'kubernetes-admin', organizations: ['system:masters'], client: true });
    const config = parse(renderAdminKubeconfig(labPlan({ relayPort: 16443, namePrefix: 't1-' }), ca.cert, admin));
    expect(config.clusters[0]).toMatchObject({ name: 'k8ts-lab-t1', cluster: { server: 'https://127.0.0.1:16443' } });
    expect(config['current-context']).toBe('kubernetes-admin@k8ts-lab-t1');
  });
});

describe('status and nodes', () => {
  it('counts a node Ready once its condition is True and the not-ready taint is gone', () => {
    const node = (name: string, status: string, taints: string[] = []) => ({
      metadata: { name },
      spec: { taints: taints.map((key) => ({ key, effect: 'NoSchedule' })) },
      status: { conditions: [{ type: 'Ready', status }] },
    });
    const list = {
      items: [
        node('worker-1', 'True'),
        node('worker-0', 'False', ['node.kubernetes.io/not-ready']),
        node('master', 'True', ['node-role.kubernetes.io/control-plane']),
        node('worker-2', 'True', ['node.kubernetes.io/not-ready']),
        { metadata: { name: 'new' } },
      ],
    };
    expect(readyNodeNames(list)).toEqual(['master', 'worker-1']);
  });

  it('prints nodes and components as tables', () => {
    const status: LabStatus = {
      labDir: '/var/lib/k8ts-lab',
      adminKubeconfig: '/var/lib/k8ts-lab/admin.kubeconfig',
      apiURL: 'https://127.0.0.1:6443',
      apiReady: true,
      nodes: [
        { name: 'master', address: '192.168.56.10', namespace: true, ready: true },
        { name: 'worker-0', address: '192.168.56.11', namespace: true, ready: false },
        { name: 'worker-1', address: '192.168.56.12', namespace: false },
      ],
      components: [
        { component: 'control-plane', node: 'master', pid: 4242, alive: true, health: 'ok', peakMemoryBytes: 150 * 2 ** 20, logFile: 'x' },
        { component: 'kubelet', node: 'worker-1', alive: false, health: '-', logFile: 'y' },
      ],
    };
    expect(formatStatus(status)).toBe(`lab: /var/lib/k8ts-lab
API server: https://127.0.0.1:6443 ready
kubeconfig: /var/lib/k8ts-lab/admin.kubeconfig

NODE      ADDRESS        NAMESPACE  READY
master    192.168.56.10  yes        True
worker-0  192.168.56.11  yes        False
worker-1  192.168.56.12  missing    unknown

COMPONENT      NODE      PID   STATE    HEALTH  PEAK MEMORY
control-plane  master    4242  running  ok      150 MiB
kubelet        worker-1  -     stopped  -       -
`);
  });

  it('finds a node by its name with or without the prefix', () => {
    expect(nodeNamespace('worker-0')).toBe('worker-0');
    expect(nodeNamespace('worker-0', { namePrefix: 't1-' })).toBe('t1-worker-0');
    expect(nodeNamespace('t1-master', { namePrefix: 't1-' })).toBe('t1-master');
    expect(() => nodeNamespace('worker-7')).toThrow(/no lab node "worker-7"; nodes: master, worker-0, worker-1, lan/);
  });
});
