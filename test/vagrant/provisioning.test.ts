// The three-VM lab, checked without VMs: `vagrant validate` of the Vagrantfile and its settings,
// shellcheck of the provisioning scripts, and what the provisioning helpers generate (containerd's
// configuration, the cluster's certificates and kubeconfigs). `npm run test:vm` brings the VMs up.

import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { apiServerHosts, parseNode, writeClusterCredentials } from '../../vagrant/provision/clusterCredentials.ts';
import { vmContainerdFiles, writeVmContainerdConfig } from '../../vagrant/provision/containerdConfig.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'k8ts-vagrant-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const NODES = ['master=192.168.56.10', 'worker-0=192.168.56.11', 'worker-1=192.168.56.12'].map(parseNode);

describe('Vagrantfile', () => {
  const vagrant = (env: Record<string, string>) =>
    spawnSync('vagrant', ['validate'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, VAGRANT_HOME: join(tmp, 'vagrant-home'), VAGRANT_CHECKPOINT_DISABLE: '1', ...env },
      timeout: 120_000,
    });

  // vagrant-libvirt's own checks connect to libvirtd: without one, only the settings are checked.
  const libvirtUp = existsSync('/var/run/libvirt/libvirt-sock');
  it.skipIf(!has('vagrant') || !libvirtUp)('validates with the defaults and with every documented setting', () => {
    const settings: Record<string, string>[] = [
      {},
      { K8TS_LIBVIRT_DRIVER: 'qemu', K8TS_LIBVIRT_MGMT_MODE: 'none', K8TS_PROXY_MODE: 'ipvs', K8TS_STORAGE: 'etcd', K8TS_REGISTRY_MIRROR: '192.168.56.1:5000' },
      { K8TS_PROXY_MODE: 'nftables', K8TS_SYNC_TYPE: 'rsync', K8TS_CONSOLE_LOG_DIR: tmp, K8TS_MEMORY: '2048', K8TS_CPUS: '2' },
    ];
    for (const env of settings) {
      const res = vagrant(env);
      expect(res.stdout + res.stderr, JSON.stringify(env)).toContain('Vagrantfile validated successfully');
      expect(res.status).toBe(0);
    }
  }, 600_000);

  it.skipIf(!has('vagrant'))('names the variable and the allowed values when a setting is wrong', () => {
    const res = vagrant({ K8TS_PROXY_MODE: 'userspace' });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('K8TS_PROXY_MODE=userspace: expected one of iptables, nftables, ipvs');
    expect(vagrant({ K8TS_STORAGE: 'mysql' }).stderr).toContain('K8TS_STORAGE=mysql: expected one of sqlite, etcd');
  }, 300_000);
});

describe('provisioning scripts', () => {
  it.skipIf(!has('shellcheck'))('pass shellcheck', () => {
    const scripts = ['vagrant/provision', 'vagrant/box', 'vagrant/test'].flatMap((dir) =>
      readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.sh')).map((f) => join(dir, f)),
    );
    expect(scripts).toContain('vagrant/provision/common.sh');
    const res = spawnSync('shellcheck', ['-x', '-P', 'SCRIPTDIR', ...scripts], { cwd: ROOT, encoding: 'utf8' });
    expect(res.stdout + res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  it('reject a bad flag with a message that names it', () => {
    const res = spawnSync('bash', ['-c', 'source vagrant/provision/lib.sh; parse_flags --role master --node-name m --node-ip 1.2.3.4 --master-ip 1.2.3.4 --proxy-mode userspace'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('--proxy-mode must be iptables, nftables or ipvs');
  });
});

describe('containerd configuration of a VM', () => {
  it('mirrors docker.io and registry.k8s.io to the registry when one is given', () => {
    const files = vmContainerdFiles('192.168.56.1:5000');
    expect(Object.keys(files).sort()).toEqual([
      '/etc/containerd/certs.d/192.168.56.1:5000/hosts.toml',
      '/etc/containerd/certs.d/docker.io/hosts.toml',
      '/etc/containerd/certs.d/registry.k8s.io/hosts.toml',
      '/etc/containerd/config.toml',
    ]);
    expect(files['/etc/containerd/certs.d/docker.io/hosts.toml']).toContain('server = "http://192.168.56.1:5000"');
    expect(files['/etc/containerd/config.toml']).toContain('config_path = "/etc/containerd/certs.d"');
    expect(files['/etc/containerd/config.toml']).toContain('sandbox_image = "registry.k8s.io/pause:3.9"');
    expect(Object.keys(vmContainerdFiles())).toEqual(['/etc/containerd/config.toml']);
  });

  it('writes only what changed, and drops the mirror files when the mirror is unset', () => {
    const root = join(tmp, 'containerd-root');
    expect(writeVmContainerdConfig(root, '192.168.56.1:5000')).toBe(true);
    expect(writeVmContainerdConfig(root, '192.168.56.1:5000')).toBe(false);
    expect(existsSync(join(root, 'etc/containerd/certs.d/docker.io/hosts.toml'))).toBe(true);
    expect(writeVmContainerdConfig(root)).toBe(true);
    expect(readdirSync(join(root, 'etc/containerd/certs.d'))).toEqual([]);
    expect(writeVmContainerdConfig(root)).toBe(false);
  });

  it('is what the script prints "changed" for', () => {
    const root = join(tmp, 'containerd-cli');
    const runScript = () =>
      execFileSync(process.execPath, ['--import', 'tsx', 'vagrant/provision/containerdConfig.ts', '--root-dir', root, '--registry-mirror', '10.0.0.1:5000'], { cwd: ROOT, encoding: 'utf8' }).trim();
    expect(runScript()).toBe('changed');
    expect(runScript()).toBe('unchanged');
  }, 120_000);
});

describe('cluster credentials', () => {
  const opts = () => ({ pkiDir: join(tmp, 'pki'), outDir: join(tmp, 'shared'), apiServer: 'https://192.168.56.10:6443', nodes: NODES, serviceCIDR: '10.96.0.0/12', cluster: 'k8ts-vagrant' });
  const clientCert = (kubeconfigPath: string) => {
    const kc = parse(readFileSync(kubeconfigPath, 'utf8')) as { users: { user: { 'client-certificate-data': string } }[]; clusters: { cluster: { server: string } }[] };
    return { cert: new X509Certificate(Buffer.from(kc.users[0].user['client-certificate-data'], 'base64')), server: kc.clusters[0].cluster.server };
  };

  it('rejects a malformed --node', () => {
    expect(() => parseNode('worker-0:192.168.56.11')).toThrow('--node wants NAME=IPv4');
  });

  it('gives the API server a certificate for every node address and the kubernetes Service', async () => {
    expect(apiServerHosts(NODES, '10.96.0.0/12')).toEqual(expect.arrayContaining(['192.168.56.10', '192.168.56.11', '192.168.56.12', '10.96.0.1', 'kubernetes.default.svc', 'master']));
    await writeClusterCredentials(opts());
    const serving = new X509Certificate(readFileSync(join(tmp, 'pki', 'apiserver.crt')));
    for (const ip of ['192.168.56.10', '192.168.56.11', '192.168.56.12', '10.96.0.1', '127.0.0.1']) expect(serving.subjectAltName).toContain(`IP Address:${ip}`);
    const ca = new X509Certificate(readFileSync(join(tmp, 'shared', 'ca.crt')));
    expect(serving.verify(ca.publicKey)).toBe(true);
  });

  it('writes an admin kubeconfig and one client identity per kubelet, signed by the CA', async () => {
    const ca = new X509Certificate(readFileSync(join(tmp, 'shared', 'ca.crt')));
    const admin = clientCert(join(tmp, 'shared', 'admin.kubeconfig'));
    expect(admin.server).toBe('https://192.168.56.10:6443');
    expect(admin.cert.subject).toContain('O=system:masters');
    for (const node of NODES) {
      const kubelet = clientCert(join(tmp, 'shared', 'nodes', node.name, 'kubelet.kubeconfig'));
      expect(kubelet.cert.subject).toContain(`CN=system:node:${node.name}`);
      expect(kubelet.cert.subject).toContain('O=system:nodes');
      expect(kubelet.cert.verify(ca.publicKey)).toBe(true);
      expect(clientCert(join(tmp, 'shared', 'nodes', node.name, 'proxy.kubeconfig')).cert.subject).toContain('CN=system:kube-proxy');
      const serving = new X509Certificate(readFileSync(join(tmp, 'shared', 'nodes', node.name, 'kubelet.crt')));
      expect(serving.subjectAltName).toContain(`IP Address:${node.address}`);
    }
  });

  it('changes nothing on a second run, and re-issues a certificate that lost its key', async () => {
    expect(await writeClusterCredentials(opts())).toEqual([]);
    rmSync(join(tmp, 'shared', 'nodes', 'worker-1', 'kubelet.key'));
    writeFileSync(join(tmp, 'shared', 'nodes', 'worker-1', 'kubelet.crt'), 'not a certificate');
    const written = await writeClusterCredentials(opts());
    expect(written.map((p) => p.slice(join(tmp, 'shared').length + 1)).sort()).toEqual(['nodes/worker-1/kubelet.crt', 'nodes/worker-1/kubelet.key']);
  });
});
