// Small distinct images for image tests: the lab's busybox with one more layer holding
// /variant (its content names the variant), written as an OCI layout that skopeo pushes to the
// test registry. Two variants under one tag are how a test moves a tag.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUSYBOX_IMAGE as BUSYBOX_RECIPE } from '../../../lab/images/catalog.ts';
import { ensureImage } from '../../../lab/images/imageCache.ts';
import { addLayerFromEntries, finishOciLayout, type Descriptor, type LayerBlob, type RuntimeConfig } from '../../../lab/images/ociLayout.ts';

function blob(dir: string, digest: string): Buffer {
  return readFileSync(join(dir, 'blobs', 'sha256', digest.replace(/^sha256:/, '')));
}

/** Builds busybox + /variant into outDir; returns the manifest digest (what a pull's imageID names). */
export async function buildVariantImage(outDir: string, ref: string, variant: string): Promise<string> {
  const base = await ensureImage(BUSYBOX_RECIPE);
  const manifest = JSON.parse(blob(base.dir, base.manifestDigest).toString('utf8')) as { config: Descriptor; layers: Descriptor[] };
  const config = JSON.parse(blob(base.dir, manifest.config.digest).toString('utf8')) as { config: RuntimeConfig; rootfs: { diff_ids: string[] } };
  mkdirSync(join(outDir, 'blobs', 'sha256'), { recursive: true });
  const baseLayers: LayerBlob[] = manifest.layers.map((descriptor, i) => {
    const hex = descriptor.digest.replace(/^sha256:/, '');
    copyFileSync(join(base.dir, 'blobs', 'sha256', hex), join(outDir, 'blobs', 'sha256', hex));
    return { descriptor, diffId: config.rootfs.diff_ids[i] };
  });
  const extra = await addLayerFromEntries(outDir, [{ type: 'file', path: 'variant', data: Buffer.from(`${variant}\n`), mode: 0o644 }]);
  const desc = finishOciLayout(outDir, { ref, runtime: config.config, layers: [...baseLayers, extra], created: '2000-01-01T00:00:00Z', createdBy: `variant ${variant}` });
  return desc.digest;
}
