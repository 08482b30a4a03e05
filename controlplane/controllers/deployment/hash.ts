// The pod-template-hash (pkg/controller/controller_utils.go ComputeHash): a 32-bit FNV-1a of the
// pod template, then of the collision count, written as its decimal digits mapped onto a
// consonant-and-digit alphabet (k8s.io/apimachinery/pkg/util/rand SafeEncodeString) so it can
// never spell a word. Upstream hashes Go's spew dump of the struct; here the template's JSON with
// sorted keys (null, {} and [] dropped as Go's zero values) plays that part, so hashes are
// stable but not equal to upstream's for the same template.
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { semanticTemplate } from './deploymentUtil.ts';

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

function fnv32a(bytes: Uint8Array, hash = FNV32_OFFSET): number {
  let h = hash;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, FNV32_PRIME) >>> 0;
  }
  return h >>> 0;
}

/** JSON with object keys sorted at every level, so equal templates serialize equally. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableStringify(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** SafeEncodeString: each character mapped to alphabet[code % 27]. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(stableStringify(semanticTemplate(template))));
  if (collisionCount !== undefined && collisionCount !== null) {
    const le = new Uint8Array(4);
    new DataView(le.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(le, h);
  }
  return safeEncodeString(String(h));
}
