// The volume manager on real directories, tmpfs and bind mounts (needs root: mount(8)).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ConfigMap, Container, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Volume } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_DIR_NAME } from './atomicWriter.ts';
import { listMounts, mountAt, unmountAllUnder } from './mounts.ts';
import { SubPathError } from './subPath.ts';
import { VolumeManager, type SetUpResult, type VolumeLookup } from './volumeManager.ts';

const isRoot = process.getuid?.() === 0;
const umask = process.umask();

let root: string; // the kubelet --root-dir of these tests
let host: string; // stands for the node's own file system (hostPath, local PVs)
let manager: VolumeManager;
let podCount = 0;

/** In-memory API objects for the lookup. */
const objects = {
  configMaps: new Map<string, ConfigMap>(),
  secrets: new Map<string, Secret>(),
  pvcs: new Map<string, PersistentVolumeClaim>(),
  pvs: new Map<string, PersistentVolume>(),
};
const lookup: VolumeLookup = {
  configMap: async (ns, name) => objects.configMaps.get(`${ns}/${name}`),
  secret: async (ns, name) => objects.secrets.get(`${ns}/${name}`),
  pvc: async (ns, name) => objects.pvcs.get(`${ns}/${name}`),
  pv: async (name) => objects.pvs.get(name),
};

function newPod(volumes: Volume[], containers: Container[] = [{ name: 'app', image: 'busybox' }]): Pod {
  podCount++;
  return { metadata: { name: `p${podCount}`, namespace: 'default', uid: `uid-${podCount}` }, spec: { volumes, containers } };
}

function ok(r: SetUpResult) {
  if (!r.ok) throw new Error(`expected success, got: ${r.message}`);
  return r.mounts;
}

function failure(r: SetUpResult): string {
  if (r.ok) throw new Error('expected FailedMount');
  expect(r.reason).toBe('FailedMount');
  return r.message;
}

const mode = (p: string) => statSync(p).mode & 0o7777;

beforeAll(() => {
  if (!isRoot) return;
  root = mkdtempSync(path.join(os.tmpdir(), 'k8ts-vol-root-'));
  host = mkdtempSync(path.join(os.tmpdir(), 'k8ts-vol-host-'));
  manager = new VolumeManager({ rootDir: root, nodeAllocatableMemory: 512 * 2 ** 20 });
});

afterAll(async () => {
  if (!isRoot) return;
  await unmountAllUnder(root);
  await unmountAllUnder(host);
  rmSync(root, { recursive: true, force: true });
  rmSync(host, { recursive: true, force: true });
});

describe.skipIf(!isRoot)('hostPath volumes, every type', () => {
  const setUp = (p: string, type?: string) => manager.setUpPodVolumes(newPod([{ name: 'h', hostPath: { path: p, type } }]), lookup);

  it('unset type mounts whatever is there, even nothing', async () => {
    expect(ok(await setUp(path.join(host, 'absent'))).get('h')).toEqual({ hostPath: path.join(host, 'absent'), readOnly: false });
  });

  it('DirectoryOrCreate creates missing directories with 0755', async () => {
    const p = path.join(host, 'doc/a/b');
    ok(await setUp(p, 'DirectoryOrCreate'));
    expect(statSync(p).isDirectory()).toBe(true);
    expect(mode(p)).toBe(0o755 & ~umask);
    ok(await setUp(p, 'DirectoryOrCreate')); // and accepts it the next time
  });

  it('Directory must exist and be a directory', async () => {
    ok(await setUp(host, 'Directory'));
    expect(failure(await setUp(path.join(host, 'nodir'), 'Directory'))).toBe(`MountVolume.SetUp failed for volume "h" : hostPath ${host}/nodir doesn't exist`);
    writeFileSync(path.join(host, 'afile'), 'x');
    expect(failure(await setUp(path.join(host, 'afile'), 'Directory'))).toBe(`MountVolume.SetUp failed for volume "h" : hostPath type check failed: ${host}/afile is not a directory, it's a File`);
  });

  it('FileOrCreate creates the file with 0644 but not its parent directory (as upstream)', async () => {
    const p = path.join(host, 'foc.txt');
    ok(await setUp(p, 'FileOrCreate'));
    expect(statSync(p).isFile()).toBe(true);
    expect(mode(p)).toBe(0o644 & ~umask);
    expect(failure(await setUp(path.join(host, 'noparent/f.txt'), 'FileOrCreate'))).toBe(
      `MountVolume.SetUp failed for volume "h" : open ${host}/noparent/f.txt: no such file or directory`,
    );
    expect(failure(await setUp(host, 'FileOrCreate'))).toContain(`${host} is not a file, it's a Directory`);
  });

  it('File must be a regular file', async () => {
    writeFileSync(path.join(host, 'f'), 'x');
    ok(await setUp(path.join(host, 'f'), 'File'));
    expect(failure(await setUp(host, 'File'))).toContain("is not a file, it's a Directory");
  });

  it('Socket accepts a listening unix socket only', async () => {
    const sock = path.join(host, 'app.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      ok(await setUp(sock, 'Socket'));
      expect(failure(await setUp(path.join(host, 'f'), 'Socket'))).toContain("is not a socket file, it's a File");
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('CharDevice accepts /dev/null and refuses a directory', async () => {
    ok(await setUp('/dev/null', 'CharDevice'));
    expect(failure(await setUp('/dev', 'CharDevice'))).toBe(`MountVolume.SetUp failed for volume "h" : hostPath type check failed: /dev is not a character device, it's a Directory`);
  });

  const blockDevice = readdirSync('/dev')
    .map((n) => `/dev/${n}`)
    .find((p) => {
      try {
        return statSync(p).isBlockDevice();
      } catch {
        return false;
      }
    });
  // Skipped only on a machine without any block device node under /dev.
  it.skipIf(!blockDevice)(`BlockDevice accepts a block device (${blockDevice ?? 'none under /dev'}) and refuses /dev/null`, async () => {
    ok(await setUp(blockDevice!, 'BlockDevice'));
    expect(failure(await setUp('/dev/null', 'BlockDevice'))).toContain("/dev/null is not a block device, it's a CharDevice");
  });
});

describe.skipIf(!isRoot)('emptyDir volumes', () => {
  it('on disk: a 0777 directory under the pod shared by its containers, gone with the pod', async () => {
    const containers = ['a', 'b'].map((name) => ({ name, image: 'busybox', volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] }));
    const pod = newPod([{ name: 'scratch', emptyDir: {} }], containers);
    const mounts = ok(await manager.setUpPodVolumes(pod, lookup));
    const dir = mounts.get('scratch')!.hostPath;
    expect(dir).toBe(path.join(root, 'pods', pod.metadata!.uid!, 'volumes/kubernetes.io~empty-dir/scratch'));
    expect(mode(dir)).toBe(0o777);
    writeFileSync(path.join(dir, 'seen-by-both'), 'hello');
    ok(await manager.setUpPodVolumes(pod, lookup)); // a later sync keeps the contents
    const [a, b] = await Promise.all(containers.map((c) => manager.mountsForContainer(pod, c, mounts)));
    expect(a[0].host_path).toBe(dir);
    expect(b[0].host_path).toBe(dir);
    expect(readFileSync(path.join(b[0].host_path, 'seen-by-both'), 'utf8')).toBe('hello');
    await manager.tearDownPodVolumes(pod.metadata!.uid!);
    expect(existsSync(dir)).toBe(false);
  });

  it('medium Memory: a tmpfs of sizeLimit, in /proc/mounts until teardown', async () => {
    const pod = newPod([{ name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } }]);
    const dir = ok(await manager.setUpPodVolumes(pod, lookup)).get('mem')!.hostPath;
    const line = readFileSync('/proc/mounts', 'utf8').split('\n').find((l) => l.split(' ')[1] === dir);
    expect(line).toMatch(/^tmpfs \S+ tmpfs rw,.*size=8192k/);
    expect(mode(dir)).toBe(0o777);
    writeFileSync(path.join(dir, 'x'), 'in memory');
    ok(await manager.setUpPodVolumes(pod, lookup)); // idempotent: still one mount
    expect(listMounts().filter((m) => m.mountPoint === dir)).toHaveLength(1);
    await manager.tearDownPodVolumes(pod.metadata!.uid!);
    expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(dir);
    expect(existsSync(dir)).toBe(false);
  });
});

describe.skipIf(!isRoot)('configMap and secret volumes', () => {
  it('projects keys through ..data symlinks with modes, and updates them atomically', async () => {
    objects.configMaps.set('default/web', { metadata: { name: 'web', namespace: 'default' }, data: { 'nginx.conf': 'v1', 'old.conf': 'old' } });
    const pod = newPod([{ name: 'conf', configMap: { name: 'web', defaultMode: 0o440 } }]);
    const vol = ok(await manager.setUpPodVolumes(pod, lookup)).get('conf')!;
    expect(vol.readOnly).toBe(true);
    const dir = vol.hostPath;
    expect(dir).toBe(path.join(root, 'pods', pod.metadata!.uid!, 'volumes/kubernetes.io~configmap/conf'));

    const firstTs = readlinkSync(path.join(dir, DATA_DIR_NAME));
    expect(firstTs).toMatch(/^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\w+$/);
    expect(readlinkSync(path.join(dir, 'nginx.conf'))).toBe('..data/nginx.conf');
    expect(readFileSync(path.join(dir, 'nginx.conf'), 'utf8')).toBe('v1');
    expect(mode(path.join(dir, firstTs, 'nginx.conf'))).toBe(0o440);
    expect(mode(path.join(dir, firstTs))).toBe(0o755);

    // Unchanged: no new version.
    ok(await manager.update(pod, lookup));
    expect(readlinkSync(path.join(dir, DATA_DIR_NAME))).toBe(firstTs);

    // Changed: a new timestamped directory swapped in, the dropped key's link gone, the old version removed.
    objects.configMaps.set('default/web', { metadata: { name: 'web', namespace: 'default' }, data: { 'nginx.conf': 'v2', 'new.conf': 'new' } });
    ok(await manager.update(pod, lookup));
    const secondTs = readlinkSync(path.join(dir, DATA_DIR_NAME));
    expect(secondTs).not.toBe(firstTs);
    expect(readFileSync(path.join(dir, 'nginx.conf'), 'utf8')).toBe('v2');
    expect(readFileSync(path.join(dir, 'new.conf'), 'utf8')).toBe('new');
    expect(existsSync(path.join(dir, 'old.conf'))).toBe(false);
    expect(existsSync(path.join(dir, firstTs))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual([DATA_DIR_NAME, secondTs, 'new.conf', 'nginx.conf'].sort());
  });

  it('items pick keys, paths and modes; nested paths get one top-level link', async () => {
    objects.configMaps.set('default/items', { metadata: { name: 'items' }, data: { a: 'A', b: 'B', c: 'C' } });
    const pod = newPod([{ name: 'it', configMap: { name: 'items', items: [{ key: 'a', path: 'conf/a.txt', mode: 0o600 }, { key: 'b', path: 'b.txt' }] } }]);
    const dir = ok(await manager.setUpPodVolumes(pod, lookup)).get('it')!.hostPath;
    expect(readdirSync(dir).filter((n) => !n.startsWith('..')).sort()).toEqual(['b.txt', 'conf']);
    expect(readlinkSync(path.join(dir, 'conf'))).toBe('..data/conf');
    expect(readFileSync(path.join(dir, 'conf/a.txt'), 'utf8')).toBe('A');
    expect(mode(path.join(dir, 'conf/a.txt'))).toBe(0o600);
    expect(mode(path.join(dir, 'b.txt'))).toBe(0o644);
  });

  it('a missing ConfigMap fails the mount unless optional', async () => {
    const pod = newPod([{ name: 'cfg', configMap: { name: 'absent' } }]);
    expect(failure(await manager.setUpPodVolumes(pod, lookup))).toBe('MountVolume.SetUp failed for volume "cfg" : configmap "absent" not found');
    const optional = newPod([{ name: 'cfg', configMap: { name: 'absent', optional: true } }]);
    const dir = ok(await manager.setUpPodVolumes(optional, lookup)).get('cfg')!.hostPath;
    expect(readdirSync(dir).filter((n) => !n.startsWith('..'))).toEqual([]);
    objects.configMaps.set('default/nokey', { metadata: { name: 'nokey' }, data: {} });
    const badItem = newPod([{ name: 'cfg', configMap: { name: 'nokey', items: [{ key: 'k', path: 'k' }] } }]);
    expect(failure(await manager.setUpPodVolumes(badItem, lookup))).toBe('MountVolume.SetUp failed for volume "cfg" : configmap references non-existent config key: k');
  });

  it('a secret lives on tmpfs, decoded, and is unmounted at teardown', async () => {
    objects.secrets.set('default/db', { metadata: { name: 'db' }, data: { password: Buffer.from('s3cret').toString('base64') } });
    const pod = newPod([{ name: 'sec', secret: { secretName: 'db', defaultMode: 0o400 } }]);
    const dir = ok(await manager.setUpPodVolumes(pod, lookup)).get('sec')!.hostPath;
    expect(dir).toBe(path.join(root, 'pods', pod.metadata!.uid!, 'volumes/kubernetes.io~secret/sec'));
    expect(mountAt(dir)?.fsType).toBe('tmpfs');
    expect(readFileSync(path.join(dir, 'password'), 'utf8')).toBe('s3cret');
    expect(mode(path.join(dir, 'password'))).toBe(0o400);
    expect(failure(await manager.setUpPodVolumes(newPod([{ name: 's', secret: { secretName: 'nope' } }]), lookup))).toBe('MountVolume.SetUp failed for volume "s" : secret "nope" not found');
    await manager.tearDownPodVolumes(pod.metadata!.uid!);
    expect(mountAt(dir)).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
  });
});

describe.skipIf(!isRoot)('subPath mounts', () => {
  it('bind-mounts a subPath inside the volume, creating missing directories, and refuses escapes', async () => {
    const pod = newPod([{ name: 'data', emptyDir: {} }]);
    const uid = pod.metadata!.uid!;
    const volumes = ok(await manager.setUpPodVolumes(pod, lookup));
    const dir = volumes.get('data')!.hostPath;
    mkdirSync(path.join(dir, 'real'));
    writeFileSync(path.join(dir, 'real/file.txt'), 'inside');
    symlinkSync('real', path.join(dir, 'inner')); // stays inside: fine
    symlinkSync('/etc', path.join(dir, 'evil')); // leaves the volume
    symlinkSync('../../../../../../../../../etc/passwd', path.join(dir, 'evil-file'));

    const container = (subPath: string): Container => ({ name: 'app', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/m', subPath }] });
    const [inner] = await manager.mountsForContainer(pod, container('inner'), volumes);
    expect(inner.host_path).toBe(path.join(root, 'pods', uid, 'volume-subpaths/data/app/0'));
    expect(mountAt(inner.host_path)).toBeDefined();
    expect(readFileSync(path.join(inner.host_path, 'file.txt'), 'utf8')).toBe('inside');

    const [created] = await manager.mountsForContainer(pod, { ...container('new/deeper'), name: 'other' }, volumes);
    expect(statSync(path.join(dir, 'new/deeper')).isDirectory()).toBe(true);
    expect(mode(path.join(dir, 'new/deeper'))).toBe(0o777); // the volume's mode, as upstream
    expect(mountAt(created.host_path)).toBeDefined();

    const [file] = await manager.mountsForContainer(pod, { ...container('real/file.txt'), name: 'filer' }, volumes);
    expect(statSync(file.host_path).isFile()).toBe(true);
    expect(readFileSync(file.host_path, 'utf8')).toBe('inside');

    for (const escape of ['evil', 'evil/passwd', 'evil-file', 'evil/newdir']) {
      const err = await manager.mountsForContainer(pod, { ...container(escape), name: 'bad' }, volumes).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, escape).toBeInstanceOf(SubPathError);
      expect((err as SubPathError).message).toMatch(/^failed to (prepare subPath|create subPath directory) for volumeMount "data" of container "bad"$/);
    }
    expect(existsSync('/etc/newdir')).toBe(false);

    await manager.tearDownPodVolumes(uid);
    expect(listMounts().filter((m) => m.mountPoint.startsWith(path.join(root, 'pods', uid)))).toEqual([]);
    expect(existsSync(path.join(root, 'pods', uid, 'volume-subpaths'))).toBe(false);
    expect(existsSync('/etc/passwd')).toBe(true);
  });

  it('a configMap key can be mounted as one file with subPath', async () => {
    objects.configMaps.set('default/one', { metadata: { name: 'one' }, data: { 'my.cnf': '[mysqld]' } });
    const pod = newPod([{ name: 'cnf', configMap: { name: 'one' } }]);
    const volumes = ok(await manager.setUpPodVolumes(pod, lookup));
    const [m] = await manager.mountsForContainer(pod, { name: 'db', image: 'mysql', volumeMounts: [{ name: 'cnf', mountPath: '/etc/mysql/my.cnf', subPath: 'my.cnf' }] }, volumes);
    expect(m.readonly).toBe(true);
    expect(readFileSync(m.host_path, 'utf8')).toBe('[mysqld]');
    await manager.tearDownPodVolumes(pod.metadata!.uid!);
  });
});

describe.skipIf(!isRoot)('persistentVolumeClaim volumes', () => {
  const bind = (claim: string, pv: string, source: PersistentVolume['spec'], phase = 'Bound') => {
    objects.pvcs.set(`default/${claim}`, { metadata: { name: claim, namespace: 'default', uid: `claim-${claim}` }, spec: { volumeName: pv }, status: { phase } });
    objects.pvs.set(pv, { metadata: { name: pv }, spec: { ...source, claimRef: { name: claim, namespace: 'default', uid: `claim-${claim}` } } });
  };
  const claimPod = (claim: string, readOnly?: boolean) => newPod([{ name: 'data', persistentVolumeClaim: { claimName: claim, readOnly } }], [{ name: 'db', image: 'mysql', volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }] }]);

  it('resolves a bound claim to its local PV path, readOnly honoured', async () => {
    const local = path.join(host, 'disks/pv1');
    mkdirSync(local, { recursive: true });
    bind('mysql-data', 'pv1', { local: { path: local } });
    expect(ok(await manager.setUpPodVolumes(claimPod('mysql-data'), lookup)).get('data')).toEqual({ hostPath: local, readOnly: false });
    const ro = claimPod('mysql-data', true);
    const volumes = ok(await manager.setUpPodVolumes(ro, lookup));
    expect(volumes.get('data')).toEqual({ hostPath: local, readOnly: true });
    const [m] = await manager.mountsForContainer(ro, ro.spec!.containers[0], volumes);
    expect(m).toMatchObject({ host_path: local, readonly: true, container_path: '/var/lib/mysql' });
  });

  it('resolves a hostPath PV with its type check', async () => {
    bind('hp', 'pv-hp', { hostPath: { path: path.join(host, 'hp-data'), type: 'DirectoryOrCreate' } });
    expect(ok(await manager.setUpPodVolumes(claimPod('hp'), lookup)).get('data')!.hostPath).toBe(path.join(host, 'hp-data'));
    expect(statSync(path.join(host, 'hp-data')).isDirectory()).toBe(true);
  });

  it('explains claims that cannot be used yet', async () => {
    expect(failure(await manager.setUpPodVolumes(claimPod('nope'), lookup))).toBe(
      'error processing PVC default/nope: failed to fetch PVC from API server: persistentvolumeclaims "nope" not found',
    );
    bind('pending', 'pv-x', { local: { path: host } }, 'Pending');
    expect(failure(await manager.setUpPodVolumes(claimPod('pending'), lookup))).toBe('error processing PVC default/pending: PVC is not bound');
    bind('lost', 'pv-gone', { local: { path: host } });
    objects.pvs.delete('pv-gone');
    expect(failure(await manager.setUpPodVolumes(claimPod('lost'), lookup))).toBe(
      'error processing PVC default/lost: failed to fetch PV pv-gone from API server: persistentvolumes "pv-gone" not found',
    );
    bind('missing-path', 'pv-missing', { local: { path: path.join(host, 'not-there') } });
    expect(failure(await manager.setUpPodVolumes(claimPod('missing-path'), lookup))).toBe(
      `MountVolume.NewMounter initialization failed for volume "pv-missing" : path "${host}/not-there" does not exist`,
    );
  });
});

describe.skipIf(!isRoot)('cleanupOrphans', () => {
  it('tears down and removes the directories of pods no longer active, and only those', async () => {
    const keep = newPod([{ name: 'd', emptyDir: { medium: 'Memory' } }]);
    const orphan = newPod([{ name: 'd', emptyDir: { medium: 'Memory' } }, { name: 'e', emptyDir: {} }]);
    const keepDir = ok(await manager.setUpPodVolumes(keep, lookup)).get('d')!.hostPath;
    const orphanDir = ok(await manager.setUpPodVolumes(orphan, lookup)).get('d')!.hostPath;
    const active = readdirSync(path.join(root, 'pods')).filter((uid) => uid !== orphan.metadata!.uid);
    const { removed, failed } = await manager.cleanupOrphans(active);
    expect(failed).toEqual([]);
    expect(removed).toEqual([orphan.metadata!.uid]);
    expect(existsSync(path.join(root, 'pods', orphan.metadata!.uid!))).toBe(false);
    expect(mountAt(orphanDir)).toBeUndefined();
    expect(mountAt(keepDir)?.fsType).toBe('tmpfs');
    await manager.tearDownPodVolumes(keep.metadata!.uid!);
  });

  it('never deletes through a mount it did not expect: a bind mount of host data survives as data', async () => {
    // A leftover subPath bind into host data must be unmounted, not deleted through.
    const precious = path.join(host, 'precious');
    mkdirSync(precious, { recursive: true });
    writeFileSync(path.join(precious, 'keep.txt'), 'keep');
    const pod = newPod([{ name: 'h', hostPath: { path: precious } }]);
    const volumes = ok(await manager.setUpPodVolumes(pod, lookup));
    const [m] = await manager.mountsForContainer(pod, { name: 'c', image: 'busybox', volumeMounts: [{ name: 'h', mountPath: '/x', subPath: '.' }] }, volumes);
    expect(mountAt(m.host_path)).toBeDefined();
    expect(readFileSync(path.join(m.host_path, 'keep.txt'), 'utf8')).toBe('keep');
    const { failed } = await manager.cleanupOrphans([]);
    expect(failed).toEqual([]);
    expect(mountAt(m.host_path)).toBeUndefined();
    expect(readFileSync(path.join(precious, 'keep.txt'), 'utf8')).toBe('keep');
  });
});
