// Pure rules of image garbage collection (upstream pkg/kubelet/images/image_gc_manager.go):
// the policy from the kubelet's flags, the bookkeeping of when each image was first seen and
// last used, how many bytes to free, and which unused images go — least recently used first.
// imageGCManager.ts reads the runtime and applies the verdict.

/** Upstream defaults: --image-gc-high-threshold 85, --image-gc-low-threshold 80, --minimum-image-gc-age 2m. */
export const DEFAULT_IMAGE_GC_HIGH_THRESHOLD = 85;
export const DEFAULT_IMAGE_GC_LOW_THRESHOLD = 80;
export const DEFAULT_MINIMUM_IMAGE_GC_AGE = '2m0s';
/** Upstream ImageGCPeriod: how often usage is checked. */
export const IMAGE_GC_PERIOD_MS = 5 * 60_000;

export interface ImageGCPolicy {
  highThresholdPercent: number;
  lowThresholdPercent: number;
  minAgeMs: number;
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration ("2m0s", "90s", "1h30m", "0"), in milliseconds. */
export function parseGoDuration(text: string): number {
  if (text === '0') return 0;
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(text);
  if (!m) throw new Error(`time: invalid duration ${JSON.stringify(text)}`);
  let total = 0;
  for (const part of text.replace(/^[+-]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(part[1]) * UNIT_MS[part[2]];
  return m[1] === '-' ? -total : total;
}

/** The policy, checked as upstream's kubelet config validation checks it. */
export function imageGCPolicy(high: number, low: number, minAge: string): ImageGCPolicy {
  const pct = (v: number, flag: string, field: string) => {
    if (!Number.isInteger(v) || v < 0 || v > 100) throw new Error(`invalid configuration: ${field} (--${flag}) ${v} must be between 0 and 100, inclusive`);
  };
  pct(high, 'image-gc-high-threshold', 'imageGCHighThresholdPercent');
  pct(low, 'image-gc-low-threshold', 'imageGCLowThresholdPercent');
  if (low >= high) {
    throw new Error(`invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) ${low} must be less than imageGCHighThresholdPercent (--image-gc-high-threshold) ${high}`);
  }
  const minAgeMs = parseGoDuration(minAge);
  if (minAgeMs < 0) throw new Error(`invalid configuration: imageMinimumGCAge (--minimum-image-gc-age) ${minAge} must not be negative`);
  return { highThresholdPercent: high, lowThresholdPercent: low, minAgeMs };
}

/** What the kubelet remembers of an image (upstream imageRecord). Times in ms since the epoch. */
export interface ImageRecord {
  id: string;
  size: number;
  firstDetected: number;
  /** 0: never seen in use. */
  lastUsed: number;
  pinned: boolean;
}

export interface DetectedImage {
  id: string;
  size: number;
  pinned: boolean;
}

/**
 * Upstream detectImages: new images are recorded as detected at `detectedAt` (0 on the first
 * pass after start: their age is unknown, so they count as old), images in use get lastUsed
 * `now`, and images gone from the runtime are forgotten.
 */
export function updateImageRecords(records: Map<string, ImageRecord>, images: DetectedImage[], inUse: Set<string>, detectedAt: number, now: number): Map<string, ImageRecord> {
  const out = new Map<string, ImageRecord>();
  for (const image of images) {
    const before = records.get(image.id);
    out.set(image.id, {
      id: image.id,
      size: image.size,
      pinned: image.pinned,
      firstDetected: before?.firstDetected ?? detectedAt,
      lastUsed: inUse.has(image.id) ? now : (before?.lastUsed ?? 0),
    });
  }
  return out;
}

/**
 * Upstream GarbageCollect's arithmetic: nothing while usage is under the high threshold, else
 * the bytes that bring it down to the low threshold. Throws on a capacity of 0, as upstream.
 */
export function bytesToFree(capacity: number, available: number, policy: ImageGCPolicy): { usagePercent: number; amount: number } {
  if (capacity <= 0) throw new Error('invalid capacity 0 on image filesystem');
  const avail = Math.min(available, capacity);
  const usagePercent = 100 - Math.trunc((avail * 100) / capacity);
  if (usagePercent < policy.highThresholdPercent) return { usagePercent, amount: 0 };
  return { usagePercent, amount: Math.trunc((capacity * (100 - policy.lowThresholdPercent)) / 100) - avail };
}

/**
 * Upstream freeSpace over imagesInEvictionOrder: images neither in use nor pinned, least
 * recently used first (then first detected); skipped when used at this pass or younger than the
 * minimum age; chosen until their sizes reach `amount`.
 */
export function imagesToDelete(records: Iterable<ImageRecord>, inUse: Set<string>, amount: number, now: number, minAgeMs: number): { images: ImageRecord[]; bytes: number } {
  const candidates = [...records]
    .filter((r) => !inUse.has(r.id) && !r.pinned)
    .sort((a, b) => a.lastUsed - b.lastUsed || a.firstDetected - b.firstDetected || a.id.localeCompare(b.id));
  const images: ImageRecord[] = [];
  let bytes = 0;
  for (const r of candidates) {
    if (bytes >= amount) break;
    if (r.lastUsed >= now) continue;
    if (now - r.firstDetected < minAgeMs) continue;
    images.push(r);
    bytes += r.size;
  }
  return { images, bytes };
}

/** Upstream's message when the eligible images do not free enough (event FreeDiskSpaceFailed). */
export function freeDiskSpaceFailedMessage(amount: number, freed: number): string {
  return `Failed to garbage collect required amount of images. Attempted to free ${amount} bytes, but only found ${freed} bytes eligible to free.`;
}
