// Key ranges for prefix reads and watches. etcd has no "prefix" query: a prefix is the half-open
// range [prefix, prefixEnd) where prefixEnd is the prefix with its last byte incremented
// (clientv3 GetPrefixRangeEnd). The SQLite store uses the same range so both agree on which keys
// a prefix covers: /registry/pods/ never matches /registry/podsx/.

/** The first byte string after every key that starts with prefix; empty prefix → "\0" (etcd: all keys). */
export function prefixEndBytes(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i] = end[i]! + 1;
      return end.subarray(0, i + 1);
    }
  }
  // Empty prefix, or all bytes 0xff: etcd reads "\0" as "to the end of the keyspace".
  return Buffer.from([0]);
}

// SQLite compares TEXT bytewise (BINARY collation over UTF-8). No valid UTF-8 key sorts after
// U+10FFFF's encoding (F4 8F BF BF) unless it starts with it, so it stands in for "no end".
const END_OF_KEYSPACE = '\u{10FFFF}';

/** [start, end) covering every string key that starts with prefix. */
export function prefixRange(prefix: string): { start: string; end: string } {
  if (prefix === '') return { start: '', end: END_OF_KEYSPACE };
  const end = prefixEndBytes(Buffer.from(prefix, 'utf8'));
  // Incrementing the last byte of an ASCII prefix (every Kubernetes key) keeps it valid UTF-8.
  return { start: prefix, end: end.length === 1 && end[0] === 0 ? END_OF_KEYSPACE : end.toString('utf8') };
}
