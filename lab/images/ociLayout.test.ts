import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUSYBOX_IMAGE, MYSQL_IMAGE, NGINX_IMAGE } from './catalog.ts';
import { cacheKey, registryPath } from './imageCache.ts';
import {
  addLayerFromEntries,
  descriptorOf,
  finishOciLayout,
  goArch,
  imageConfig,
  imageIndex,
  imageManifest,
  MEDIA_TYPE,
  ociArchive,
  sha256Digest,
} from './ociLayout.ts';
import { busyboxEntries } from './rootfs.ts';
import { splitUstarPath, tarArchive, tarHeader } from './tarArchive.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'k8ts-oci-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('OCI image JSON', () => {
  it('config names the runtime settings and the uncompressed layer digests', () => {
    const config = JSON.parse(
      imageConfig({
        runtime: { Cmd: ['nginx', '-g', 'daemon off;'], StopSignal: 'SIGQUIT' },
        diffIds: ['sha256:aaa'],
        created: '2000-01-01T00:00:00Z',
        createdBy: 'k8ts lab: nginx',
        arch: 'amd64',
      }),
    );
    expect(config).toEqual({
      created: '2000-01-01T00:00:00Z',
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['nginx', '-g', 'daemon off;'], StopSignal: 'SIGQUIT' },
      rootfs: { type: 'layers', diff_ids: ['sha256:aaa'] },
      history: [{ created: '2000-01-01T00:00:00Z', created_by: 'k8ts lab: nginx' }],
    });
  });

  it('manifest points at the config and gzipped layers by digest and size; index at the manifest', () => {
    const config = descriptorOf(MEDIA_TYPE.config, '{}');
    expect(config).toEqual({ mediaType: MEDIA_TYPE.config, digest: sha256Digest('{}'), size: 2 });
    const layer = { mediaType: MEDIA_TYPE.layerGzip, digest: 'sha256:bbb', size: 10 };
    expect(JSON.parse(imageManifest(config, [layer]))).toEqual({ schemaVersion: 2, mediaType: MEDIA_TYPE.manifest, config, layers: [layer] });
    const m = { ...descriptorOf(MEDIA_TYPE.manifest, 'x'), annotations: { 'org.opencontainers.image.ref.name': 'docker.io/library/nginx:1.22.1' } };
    expect(JSON.parse(imageIndex([m]))).toEqual({ schemaVersion: 2, mediaType: MEDIA_TYPE.index, manifests: [m] });
  });

  it('spells architectures as Go does', () => {
    expect(goArch('x64')).toBe('amd64');
    expect(goArch('arm64')).toBe('arm64');
  });

  it('writes a layout whose blobs are named by their content and whose index names the image', async () => {
    const dir = tempDir();
    const layer = await addLayerFromEntries(dir, [{ type: 'file', path: 'hello', data: Buffer.from('hi\n') }]);
    const manifestDesc = finishOciLayout(dir, { ref: 'docker.io/library/t:1', runtime: { Cmd: ['/hello'] }, layers: [layer], created: '2000-01-01T00:00:00Z', createdBy: 'test' });
    const blob = (digest: string) => readFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)));
    expect(sha256Digest(blob(manifestDesc.digest))).toBe(manifestDesc.digest);
    const manifest = JSON.parse(blob(manifestDesc.digest).toString());
    expect(manifest.layers[0]).toEqual(layer.descriptor);
    const config = JSON.parse(blob(manifest.config.digest).toString());
    expect(config.rootfs.diff_ids).toEqual([layer.diffId]);
    // The diff_id is the digest of the tar that gunzip gives back.
    const gunzipped = execFileSync('gzip', ['-dc'], { input: blob(layer.descriptor.digest) });
    expect(sha256Digest(gunzipped)).toBe(layer.diffId);
    expect(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).manifests[0].annotations['org.opencontainers.image.ref.name']).toBe('docker.io/library/t:1');
    expect(readFileSync(join(dir, 'oci-layout'), 'utf8')).toBe('{"imageLayoutVersion":"1.0.0"}');

    const archive = join(dir, 'image.tar');
    writeFileSync(archive, ociArchive(dir));
    const listing = execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(listing.slice(0, 4)).toEqual(['oci-layout', 'index.json', 'blobs/', 'blobs/sha256/']);
    expect(listing).toHaveLength(4 + 3);
  });
});

describe('tar archives', () => {
  it('writes headers GNU tar reads back: files, dirs, symlinks, modes and owners', () => {
    const dir = tempDir();
    const archive = join(dir, 'a.tar');
    writeFileSync(
      archive,
      tarArchive([
        { type: 'dir', path: 'tmp', mode: 0o1777 },
        { type: 'file', path: 'bin/busybox', data: Buffer.alloc(1000, 1), mode: 0o755 },
        { type: 'symlink', path: 'bin/sh', target: '/bin/busybox' },
        { type: 'file', path: `${'d'.repeat(80)}/${'f'.repeat(60)}`, data: Buffer.from('long') },
      ]),
    );
    const listing = execFileSync('tar', ['-tvf', archive, '--numeric-owner'], { encoding: 'utf8' });
    expect(listing).toMatch(/^drwxrwxrwt 0\/0 +0 \S+ \S+ tmp\/$/m);
    expect(listing).toMatch(/^-rwxr-xr-x 0\/0 +1000 .* bin\/busybox$/m);
    expect(listing).toMatch(/^lrwxrwxrwx 0\/0 +0 .* bin\/sh -> \/bin\/busybox$/m);
    expect(listing).toContain(`${'d'.repeat(80)}/${'f'.repeat(60)}`);
  });

  it('splits long paths into ustar prefix and name at a slash', () => {
    expect(splitUstarPath('a/b')).toEqual({ prefix: '', name: 'a/b' });
    const long = `${'p'.repeat(120)}/name`;
    expect(splitUstarPath(long)).toEqual({ prefix: 'p'.repeat(120), name: 'name' });
    expect(() => splitUstarPath('x'.repeat(300))).toThrow(/too long/);
  });

  it('has a 512-byte header with a valid checksum', () => {
    const h = tarHeader({ type: 'file', path: 'x', data: Buffer.alloc(0) }, 0);
    expect(h).toHaveLength(512);
    const stored = Number.parseInt(h.subarray(148, 154).toString('ascii'), 8);
    const copy = Buffer.from(h);
    copy.fill(' ', 148, 156);
    expect(stored).toBe(copy.reduce((a, b) => a + b, 0));
  });
});

describe('image recipes', () => {
  it('lays out busybox like the official image: /bin/busybox and applet symlinks to it', () => {
    const entries = busyboxEntries(Buffer.from('ELF'), ['bin/sh', 'usr/bin/wget', 'sbin/ifconfig']);
    const byPath = new Map(entries.map((e) => [e.path, e]));
    expect(byPath.get('bin/sh')).toEqual({ type: 'symlink', path: 'bin/sh', target: '/bin/busybox' });
    expect(byPath.get('usr/bin/wget')).toEqual({ type: 'symlink', path: 'usr/bin/wget', target: '/bin/busybox' });
    expect(byPath.get('bin/busybox')).toMatchObject({ type: 'file', mode: 0o755 });
    expect(byPath.get('tmp')).toMatchObject({ type: 'dir', mode: 0o1777 });
    // Directories come before what they contain.
    expect(entries.findIndex((e) => e.path === 'usr/bin')).toBeLessThan(entries.findIndex((e) => e.path === 'usr/bin/wget'));
  });

  it('keys the cache on everything the image depends on', () => {
    expect(cacheKey(NGINX_IMAGE)).toBe(cacheKey(NGINX_IMAGE));
    expect(cacheKey(NGINX_IMAGE)).toMatch(/^nginx-1\.22\.1-[0-9a-f]{12}$/);
    expect(cacheKey({ ...BUSYBOX_IMAGE, inputs: `${BUSYBOX_IMAGE.inputs} changed` })).not.toBe(cacheKey(BUSYBOX_IMAGE));
  });

  it('pushes docker.io images under their repository path', () => {
    expect(registryPath('docker.io/library/nginx:1.22.1')).toBe('library/nginx:1.22.1');
    expect(registryPath('registry.k8s.io/pause:3.9')).toBe('pause:3.9');
    expect(registryPath('localhost:5000/a/b:1')).toBe('a/b:1');
    expect(registryPath('library/busybox:latest')).toBe('library/busybox:latest');
  });

  it('configures nginx and mysql as the official images do', () => {
    expect(NGINX_IMAGE.runtime).toMatchObject({ Cmd: ['nginx', '-g', 'daemon off;'], StopSignal: 'SIGQUIT' });
    expect(MYSQL_IMAGE.runtime).toMatchObject({ Entrypoint: ['docker-entrypoint.sh'], Cmd: ['mysqld'], ExposedPorts: { '3306/tcp': {} } });
    expect(MYSQL_IMAGE.refs).toEqual(['docker.io/library/mysql:8.0.23']);
  });
});
