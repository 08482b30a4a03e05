// Building the lab's images once and handing them out: an on-disk cache of OCI layouts, pushes to
// the lab registry, and direct imports into a node's containerd.
//
//   ensureImage(recipe, { cacheDir, log })   → BuiltImage; builds only when the cache lacks it
//   pushImage(image, { ns, registry, log })  skopeo copy oci:DIR → docker://REGISTRY/REPO:TAG (every ref)
//   importImage(image, containerd, { log })  ctr images import (the pause image: CRI never pulls it)
//   registryPath(ref)                        docker.io/library/nginx:1.22.1 → library/nginx:1.22.1
//
// skopeo runs inside a namespace because the registry's address is only reachable there.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerdPaths } from '../containerdConfig.ts';
import { CRI_NAMESPACE, ctr } from '../containerd.ts';
import { execIn } from '../netns.ts';
import { type LabLogger, silentLogger, timed } from '../run.ts';
import type { ImageRecipe } from './catalog.ts';
import { addLayerFromEntries, addLayerFromTarFile, finishOciLayout, ociArchive } from './ociLayout.ts';

export const DEFAULT_IMAGE_CACHE = '/var/cache/k8ts-lab/images';

export interface BuiltImage {
  recipe: ImageRecipe;
  /** The OCI layout directory. */
  dir: string;
  manifestDigest: string;
}

/** The cache entry's name: recipe name + hash of everything the content depends on. */
export function cacheKey(recipe: ImageRecipe): string {
  const hash = createHash('sha256').update(JSON.stringify({ refs: recipe.refs, runtime: recipe.runtime, inputs: recipe.inputs })).digest('hex');
  return `${recipe.name}-${hash.slice(0, 12)}`;
}

function readManifestDigest(dir: string): string {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  return index.manifests[0].digest;
}

export async function ensureImage(recipe: ImageRecipe, opts: { cacheDir?: string; log?: LabLogger } = {}): Promise<BuiltImage> {
  const cacheDir = opts.cacheDir ?? DEFAULT_IMAGE_CACHE;
  const log = opts.log ?? silentLogger;
  const dir = join(cacheDir, cacheKey(recipe));
  // index.json is the last file written, and the directory appears by rename: present means complete.
  if (existsSync(join(dir, 'index.json'))) {
    log(`image ${recipe.refs[0]}: cached`);
    return { recipe, dir, manifestDigest: readManifestDigest(dir) };
  }
  const staging = `${dir}.building-${process.pid}`;
  const workDir = `${dir}.work-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  try {
    const build = async () => {
      const source = await recipe.buildLayer(workDir);
      const layer = source.kind === 'entries' ? await addLayerFromEntries(staging, source.entries) : await addLayerFromTarFile(staging, source.path);
      const manifest = finishOciLayout(staging, {
        ref: recipe.refs[0],
        runtime: recipe.runtime,
        layers: [layer],
        created: new Date().toISOString(),
        createdBy: `k8ts lab: ${recipe.name}`,
      });
      writeFileSync(join(staging, 'recipe.txt'), `${recipe.refs.join('\n')}\n\n${recipe.inputs}\n`);
      return { manifest, layerSize: layer.descriptor.size };
    };
    const { layerSize } = await (recipe.slow ? timed(log, `building image ${recipe.refs[0]}`, build) : build());
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    log(`image ${recipe.refs[0]}: built (${(layerSize / 1e6).toFixed(1)} MB gzipped)`);
    return { recipe, dir, manifestDigest: readManifestDigest(dir) };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Drops the registry domain: the lab registry serves docker.io's repositories under their own paths. */
export function registryPath(ref: string): string {
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  const isDomain = first.includes('.') || first.includes(':') || first === 'localhost';
  return isDomain ? ref.slice(slash + 1) : ref;
}

export async function pushImage(image: BuiltImage, opts: { ns: string; registry: string; log?: LabLogger }): Promise<void> {
  const log = opts.log ?? silentLogger;
  for (const ref of image.recipe.refs) {
    const dest = `docker://${opts.registry}/${registryPath(ref)}`;
    const push = () =>
      execIn(opts.ns, 'skopeo', ['copy', '--quiet', '--insecure-policy', '--dest-tls-verify=false', `oci:${image.dir}`, dest]);
    await (image.recipe.slow ? timed(log, `pushing ${ref} to ${opts.registry}`, push) : push());
  }
  log(`image ${image.recipe.refs[0]}: in registry ${opts.registry}`);
}

export async function importImage(image: BuiltImage, containerd: ContainerdPaths, opts: { namespace?: string; log?: LabLogger } = {}): Promise<void> {
  const archive = join(containerd.dir, `import-${process.pid}.tar`);
  writeFileSync(archive, ociArchive(image.dir));
  try {
    await ctr(containerd, ['--namespace', opts.namespace ?? CRI_NAMESPACE, 'images', 'import', archive]);
  } finally {
    rmSync(archive, { force: true });
  }
  (opts.log ?? silentLogger)(`image ${image.recipe.refs[0]}: imported into ${containerd.socket}`);
}
