// Image garbage collection (upstream pkg/kubelet/images/image_gc_manager.go realImageGCManager):
// at start and every 5 minutes, the usage of the filesystem holding images is read (CRI
// ImageFsInfo gives its mount point, statfs its size); past the high threshold, unused images
// are removed least recently used first until usage is down to the low threshold. An image is
// in use while any container — running or exited — was made from it; the sandbox image always is.
import { promises as fs } from 'node:fs';
import type { Logger } from 'pino';
import type { CriClient } from '../cri/criClient.ts';
import type { Image } from '../cri/criTypes.ts';
import { bytesToFree, freeDiskSpaceFailedMessage, IMAGE_GC_PERIOD_MS, imagesToDelete, updateImageRecords, type ImageGCPolicy, type ImageRecord } from './imageGC.ts';

/** Events on the Node (upstream pkg/kubelet/events). */
export const FREE_DISK_SPACE_FAILED = 'FreeDiskSpaceFailed';
export const INVALID_DISK_CAPACITY = 'InvalidDiskCapacity';
export const IMAGE_GC_FAILED = 'ImageGCFailed';

export interface NodeEventRecorder {
  nodeEvent(type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface ImageGCManagerOptions {
  cri: Pick<CriClient, 'listImages' | 'listContainers' | 'imageFsInfo' | 'removeImage' | 'imageStatus' | 'verboseStatus'>;
  policy: ImageGCPolicy;
  recorder: NodeEventRecorder;
  log: Logger;
  /** The sandbox (pause) image; read from containerd's config when not given. */
  sandboxImage?: string;
  periodMs?: number;
  now?: () => number;
}

export interface ImageGCResult {
  usagePercent: number;
  wanted: number;
  freed: number;
  removed: string[];
}

/** Capacity and free bytes of the filesystem at a path (cadvisor's view of the image fs). */
export async function filesystemSpace(path: string): Promise<{ capacity: number; available: number }> {
  const s = await fs.statfs(path);
  return { capacity: Number(s.blocks) * Number(s.bsize), available: Number(s.bavail) * Number(s.bsize) };
}

/** The image id and every name of it: a container may name its image by any of them. */
function imageNames(image: Image): string[] {
  return [image.id, ...image.repo_tags, ...image.repo_digests];
}

export class ImageGCManager {
  private records = new Map<string, ImageRecord>();
  private initialized = false;
  private readonly now: () => number;

  constructor(private readonly o: ImageGCManagerOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Upstream StartGarbageCollection: collect now, then every period; a repeated failure is an event. */
  async run(signal: AbortSignal): Promise<void> {
    // Upstream disables image GC with a high threshold of 100.
    if (this.o.policy.highThresholdPercent >= 100) {
      this.o.log.info('image garbage collection disabled: --image-gc-high-threshold is 100');
      return;
    }
    let failedBefore = false;
    while (!signal.aborted) {
      try {
        await this.garbageCollect();
        failedBefore = false;
      } catch (err) {
        const message = (err as Error).message;
        this.o.log.warn({ err: message }, failedBefore ? 'image garbage collection failed multiple times in a row' : 'image garbage collection failed once');
        if (failedBefore) this.o.recorder.nodeEvent('Warning', IMAGE_GC_FAILED, message);
        failedBefore = true;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.o.periodMs ?? IMAGE_GC_PERIOD_MS);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
    }
  }

  /** Upstream GarbageCollect. Throws when it could not free enough (after freeing what it could). */
  async garbageCollect(): Promise<ImageGCResult> {
    const now = this.now();
    const { images, inUse } = await this.detectImages(now);
    const fsInfo = (await this.o.cri.imageFsInfo())[0];
    const mountpoint = fsInfo?.fs_id?.mountpoint;
    if (!mountpoint) throw new Error('the runtime reports no image filesystem');
    const { capacity, available } = await filesystemSpace(mountpoint);
    let plan;
    try {
      plan = bytesToFree(capacity, available, this.o.policy);
    } catch (err) {
      this.o.recorder.nodeEvent('Warning', INVALID_DISK_CAPACITY, (err as Error).message);
      throw err;
    }
    const result: ImageGCResult = { usagePercent: plan.usagePercent, wanted: plan.amount, freed: 0, removed: [] };
    if (plan.amount <= 0) return result;
    this.o.log.info({ usage: plan.usagePercent, highThreshold: this.o.policy.highThresholdPercent, lowThreshold: this.o.policy.lowThresholdPercent, amountToFree: plan.amount }, 'disk usage on image filesystem is over the high threshold, trying to free bytes down to the low threshold');
    const chosen = imagesToDelete(images.values(), inUse, plan.amount, now, this.o.policy.minAgeMs);
    for (const image of chosen.images) {
      this.o.log.info({ imageID: image.id, size: image.size }, 'removing image to free bytes');
      try {
        await this.o.cri.removeImage({ image: image.id });
      } catch (err) {
        // Upstream goes on with the next image and reports every failure at the end.
        this.o.log.warn({ imageID: image.id, err: (err as Error).message }, 'failed to remove image');
        continue;
      }
      this.records.delete(image.id);
      result.freed += image.size;
      result.removed.push(image.id);
    }
    if (result.freed < plan.amount) {
      const message = freeDiskSpaceFailedMessage(plan.amount, result.freed);
      this.o.recorder.nodeEvent('Warning', FREE_DISK_SPACE_FAILED, message);
      throw new Error(message);
    }
    return result;
  }

  /** Upstream detectImages: the images, and which are in use (by any container, or the sandbox). */
  private async detectImages(now: number): Promise<{ images: Map<string, ImageRecord>; inUse: Set<string> }> {
    const [images, containers] = await Promise.all([this.o.cri.listImages(), this.o.cri.listContainers()]);
    const used = new Set<string>();
    for (const c of containers) {
      used.add(c.image_ref);
      if (c.image?.image) used.add(c.image.image);
    }
    const sandboxImage = await this.sandboxImage();
    if (sandboxImage) {
      used.add(sandboxImage);
      const id = (await this.o.cri.imageStatus({ image: sandboxImage }).catch(() => undefined))?.id;
      if (id) used.add(id);
    }
    const inUse = new Set(images.filter((i) => imageNames(i).some((n) => used.has(n))).map((i) => i.id));
    // Images present at the first pass have an unknown age: they count as old (upstream Start).
    const detectedAt = this.initialized ? now : 0;
    this.records = updateImageRecords(this.records, images.map((i) => ({ id: i.id, size: Number(i.size), pinned: i.pinned ?? false })), inUse, detectedAt, now);
    this.initialized = true;
    return { images: this.records, inUse };
  }

  private cachedSandboxImage?: string;

  /** --pod-infra-container-image upstream; here containerd's own sandbox_image, from its config. */
  private async sandboxImage(): Promise<string | undefined> {
    if (this.o.sandboxImage) return this.o.sandboxImage;
    if (this.cachedSandboxImage) return this.cachedSandboxImage;
    try {
      const config = JSON.parse((await this.o.cri.verboseStatus()).config ?? '{}') as { sandboxImage?: string };
      this.cachedSandboxImage = config.sandboxImage;
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'cannot read the sandbox image from the runtime: it may be garbage collected');
    }
    return this.cachedSandboxImage;
  }
}
