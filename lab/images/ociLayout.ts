// OCI images written by hand (image-spec v1.0): an "image layout" directory holds `oci-layout`,
// `index.json` and content-addressed `blobs/sha256/<hex>` — one gzipped layer tar, the image
// config (what to run: Cmd, Env, StopSignal …, and the layer's uncompressed digest), and the
// manifest that ties config and layers together. skopeo pushes such a directory (`oci:DIR`);
// `ctr images import` reads the same files as a tar.
//
// Pure:   imageConfig(...), imageManifest(...), imageIndex(...), descriptorOf(...), goArch(...)
// Files:  writeOciLayout(dir, { ref, runtime, layers })  → the manifest's descriptor
//         ociArchive(dir) → Buffer (tar of the layout, for `ctr images import`)

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { tarArchive, type TarEntry } from './tarArchive.ts';

export const MEDIA_TYPE = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** The annotation `ctr images import` names the image by (a full reference works as is). */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string };
}

/** The part of an image config a container runtime reads (Docker's names, as the spec keeps them). */
export interface RuntimeConfig {
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Volumes?: Record<string, Record<string, never>>;
  StopSignal?: string;
}

/** Node's process.arch → GOARCH, the spelling image configs use. */
export function goArch(arch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[arch] ?? arch;
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function descriptorOf(mediaType: string, data: Buffer | string): Descriptor {
  return { mediaType, digest: sha256Digest(data), size: Buffer.byteLength(data) };
}

export function imageConfig(opts: { runtime: RuntimeConfig; diffIds: string[]; created: string; createdBy: string; arch?: string }): string {
  return JSON.stringify({
    created: opts.created,
    architecture: opts.arch ?? goArch(),
    os: 'linux',
    config: opts.runtime,
    rootfs: { type: 'layers', diff_ids: opts.diffIds },
    history: opts.diffIds.map(() => ({ created: opts.created, created_by: opts.createdBy })),
  });
}

export function imageManifest(config: Descriptor, layers: Descriptor[]): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE.manifest, config, layers });
}

export function imageIndex(manifests: Descriptor[]): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE.index, manifests });
}

export const OCI_LAYOUT_FILE = JSON.stringify({ imageLayoutVersion: '1.0.0' });

/** A layer's two digests: the tar's (diff_id, in the config) and the gzip's (in the manifest). */
export interface LayerBlob {
  descriptor: Descriptor;
  diffId: string;
}

function blobsDir(dir: string): string {
  return join(dir, 'blobs', 'sha256');
}

function writeBlob(dir: string, data: string | Buffer): void {
  writeFileSync(join(blobsDir(dir), sha256Digest(data).slice('sha256:'.length)), data);
}

function hashingStream(hash: ReturnType<typeof createHash>, counter: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      counter.bytes += chunk.length;
      done(null, chunk);
    },
  });
}

/** Gzips an uncompressed layer tar (a file: mmdebstrap's are hundreds of MB) into the layout's blobs. */
export async function addLayerFromTarFile(dir: string, tarPath: string): Promise<LayerBlob> {
  mkdirSync(blobsDir(dir), { recursive: true });
  const tmp = join(blobsDir(dir), `.incoming-${process.pid}`);
  const rawHash = createHash('sha256');
  const gzHash = createHash('sha256');
  const raw = { bytes: 0 };
  const gz = { bytes: 0 };
  await pipeline(createReadStream(tarPath), hashingStream(rawHash, raw), createGzip(), hashingStream(gzHash, gz), createWriteStream(tmp));
  const hex = gzHash.digest('hex');
  renameSync(tmp, join(blobsDir(dir), hex));
  return { descriptor: { mediaType: MEDIA_TYPE.layerGzip, digest: `sha256:${hex}`, size: gz.bytes }, diffId: `sha256:${rawHash.digest('hex')}` };
}

export async function addLayerFromEntries(dir: string, entries: TarEntry[]): Promise<LayerBlob> {
  const tmpTar = join(dir, `.layer-${process.pid}.tar`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(tmpTar, tarArchive(entries));
  try {
    return await addLayerFromTarFile(dir, tmpTar);
  } finally {
    rmSync(tmpTar, { force: true });
  }
}

/**
 * Writes config, manifest, index.json and oci-layout next to the layers already added.
 * index.json is written last: its presence marks a complete layout.
 */
export function finishOciLayout(dir: string, opts: { ref: string; runtime: RuntimeConfig; layers: LayerBlob[]; created: string; createdBy: string }): Descriptor {
  mkdirSync(blobsDir(dir), { recursive: true });
  const config = imageConfig({ runtime: opts.runtime, diffIds: opts.layers.map((l) => l.diffId), created: opts.created, createdBy: opts.createdBy });
  writeBlob(dir, config);
  const manifest = imageManifest(
    descriptorOf(MEDIA_TYPE.config, config),
    opts.layers.map((l) => l.descriptor),
  );
  writeBlob(dir, manifest);
  const manifestDesc: Descriptor = {
    ...descriptorOf(MEDIA_TYPE.manifest, manifest),
    annotations: { [REF_NAME_ANNOTATION]: opts.ref },
  };
  writeFileSync(join(dir, 'oci-layout'), OCI_LAYOUT_FILE);
  writeFileSync(join(dir, 'index.json'), imageIndex([manifestDesc]));
  return manifestDesc;
}

/** The layout as one tar (for `ctr images import`); fine for small images such as pause. */
export function ociArchive(dir: string): Buffer {
  const entries: TarEntry[] = [
    { type: 'file', path: 'oci-layout', data: readFileSync(join(dir, 'oci-layout')) },
    { type: 'file', path: 'index.json', data: readFileSync(join(dir, 'index.json')) },
    { type: 'dir', path: 'blobs' },
    { type: 'dir', path: 'blobs/sha256' },
    ...readdirSync(blobsDir(dir))
      .filter((f) => !f.startsWith('.'))
      .sort()
      .map((f): TarEntry => ({ type: 'file', path: `blobs/sha256/${f}`, data: readFileSync(join(blobsDir(dir), f)) })),
  ];
  return tarArchive(entries);
}
