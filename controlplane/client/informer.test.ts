// The reflector's recovery paths and the informer's handler contract, against a scripted
// list/watch (the seam upstream's reflector_test.go uses too: a fake ListerWatcher).
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { SharedInformer } from './informer.ts';
import type { ListerWatcher } from './reflector.ts';
import { ApiStatusError, type KubeObject, type WatchEvent, type WatchOptions } from './types.ts';

const silent = pino({ level: 'silent' });
const pod = (name: string, rv: string, node = ''): KubeObject => ({ metadata: { namespace: 'ns', name, resourceVersion: rv }, spec: { nodeName: node } });
const gone = () => new ApiStatusError(410, 'Gone', 'too old resource version: 10 (15)');
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });

type WatchStep = (emit: (ev: WatchEvent) => void, signal: AbortSignal) => Promise<void>;

/** Lists and watches play the scripted steps in order; the last watch step blocks until abort. */
function scripted(lists: KubeObject[][], listRVs: string[], watches: WatchStep[]) {
  const calls: string[] = [];
  const lw: ListerWatcher<KubeObject> = {
    async list() {
      const i = calls.filter((c) => c.startsWith('list')).length;
      calls.push(`list`);
      return { items: lists[i]!, metadata: { resourceVersion: listRVs[i]! } };
    },
    async watch(opts: WatchOptions, onEvent, signal) {
      const i = calls.filter((c) => c.startsWith('watch')).length;
      calls.push(`watch@${opts.resourceVersion}`);
      const step = watches[i] ?? ((_e, s) => new Promise<void>((r) => s.addEventListener('abort', () => r())));
      await step(onEvent, signal);
    },
  };
  return { lw, calls };
}

function recorder() {
  const seen: string[] = [];
  return {
    seen,
    handlers: {
      onAdd: (o: KubeObject) => seen.push(`add ${o.metadata.name}`),
      onUpdate: (a: KubeObject, b: KubeObject) => seen.push(`update ${a.metadata.name} ${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`),
      onDelete: (o: KubeObject) => seen.push(`delete ${o.metadata.name}`),
    },
  };
}

async function until(cond: () => boolean) {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
}

describe('SharedInformer', () => {
  it('relists at once after 410 Gone and synthesizes the delete of what vanished meanwhile', async () => {
    const sleeps: number[] = [];
    const { lw, calls } = scripted(
      [[pod('a', '5'), pod('b', '6')], [pod('a', '18'), pod('c', '19')]],
      ['10', '20'],
      [
        async (emit) => {
          emit({ type: 'MODIFIED', object: pod('a', '11') });
          throw gone();
        },
      ],
    );
    const inf = new SharedInformer(lw, { logger: silent, reflector: { sleep: async (ms) => void sleeps.push(ms) } });
    const r = recorder();
    inf.addEventHandler(r.handlers);
    const stop = new AbortController();
    inf.run(stop.signal);
    await until(() => calls.length === 4);
    stop.abort();
    expect(calls).toEqual(['list', 'watch@10', 'list', 'watch@20']);
    expect(r.seen).toEqual(['add a', 'add b', 'update a 5->11', 'add c', 'update a 11->18', 'delete b']);
    expect(sleeps).toEqual([]); // 410 is not a failure: no backoff
    expect(inf.lister.list().map((o) => o.metadata.name).sort()).toEqual(['a', 'c']);
  });

  it('re-watches from the last resourceVersion when a watch ends cleanly or the connection is refused; relists after other errors', async () => {
    const sleeps: number[] = [];
    const { lw, calls } = scripted(
      [[pod('a', '5')], [pod('a', '5')]],
      ['10', '30'],
      [
        async (emit) => emit({ type: 'BOOKMARK', object: { metadata: { name: '', resourceVersion: '12' } } }),
        async () => {
          throw refused();
        },
        async () => {
          throw new Error('watch /api/v1/pods: connection closed mid-stream');
        },
      ],
    );
    const inf = new SharedInformer(lw, { logger: silent, reflector: { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 } });
    const stop = new AbortController();
    inf.run(stop.signal);
    await until(() => calls.length === 6);
    stop.abort();
    expect(calls).toEqual(['list', 'watch@10', 'watch@12', 'watch@12', 'list', 'watch@30']);
    // 800 ms then 1600 ms, each with jitter 1.0 · random 0.5
    expect(sleeps).toEqual([1200, 2400]);
  });

  it('is synced after the first list; a handler added later hears adds for the cache; resync re-delivers updates', async () => {
    const { lw } = scripted([[pod('a', '1', 'n1'), pod('b', '2', 'n2')]], ['2'], []);
    const inf = new SharedInformer(lw, { logger: silent });
    expect(inf.hasSynced()).toBe(false);
    const stop = new AbortController();
    inf.run(stop.signal);
    inf.run(stop.signal); // idempotent
    await until(() => inf.hasSynced());
    const r = recorder();
    inf.addEventHandler(r.handlers);
    expect(r.seen.sort()).toEqual(['add a', 'add b']);
    inf.resync();
    expect(r.seen.slice(2).sort()).toEqual(['update a 1->1', 'update b 2->2']);
    expect(inf.lister.byIndex('nodeName', 'n2').map((o) => o.metadata.name)).toEqual(['b']);
    stop.abort();
  });

  it('a throwing handler neither stops the cache nor the other handlers', async () => {
    const { lw } = scripted([[pod('a', '1')]], ['1'], []);
    const inf = new SharedInformer(lw, { logger: silent });
    const r = recorder();
    inf.addEventHandler({ onAdd: () => { throw new Error('boom'); } });
    inf.addEventHandler(r.handlers);
    const stop = new AbortController();
    inf.run(stop.signal);
    await until(() => inf.hasSynced());
    stop.abort();
    expect(r.seen).toEqual(['add a']);
  });
});
