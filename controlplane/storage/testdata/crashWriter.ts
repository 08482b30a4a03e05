// Writes to a SQLite store as fast as it can and prints every write once it is acknowledged:
//   create <key> <revision> <value>   |   update <key> <revision> <value>
// sqliteCrash.test.ts kills this process with SIGKILL and checks each printed write survived.
// Usage: node --import tsx crashWriter.ts <db path> <round>

import { SqliteBackend } from '../sqlite.ts';

const [path, round] = process.argv.slice(2);
if (!path || !round) throw new Error('usage: crashWriter.ts <db path> <round>');

const COUNTER = '/registry/crash/counter';
const store = new SqliteBackend({ path, compactIntervalMs: 0 });
await store.start();
let counter = await store.get(COUNTER);
if (!counter) {
  const { revision } = await store.create(COUNTER, '0');
  counter = { key: COUNTER, value: '0', createRevision: revision, modRevision: revision };
}

for (let i = 0; ; i++) {
  const key = `/registry/crash/r${round}/k${i}`;
  const value = `round ${round} write ${i}`;
  const { revision } = await store.create(key, value);
  process.stdout.write(`create ${key} ${revision} ${value.replaceAll(' ', '_')}\n`);

  const next: string = String(Number(counter.value) + 1);
  const res = await store.update(COUNTER, next, counter.modRevision);
  if (!res.ok) throw new Error(`counter changed under the only writer: ${JSON.stringify(res.current)}`);
  counter = { ...counter, value: next, modRevision: res.revision };
  process.stdout.write(`update ${COUNTER} ${res.revision} ${next}\n`);
}
