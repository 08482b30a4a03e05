// The same workload as the API server benchmark, run in-process straight on a storage backend:
// what the store alone can do, so the API server's overhead can be read as a ratio.
import { performance } from 'node:perf_hooks';
import type { Backend, Watcher } from '../../controlplane/storage/types.ts';
import { DeliveryLog, runFanout, type FanoutPlan, type FanoutResult } from './fanout.ts';
import { note, pool, timed } from './httpsLoad.ts';

export interface Workload {
  creates: number;
  concurrency: number;
  listSize: number;
  listRounds: number;
  pageLimit: number;
  fanout: FanoutPlan;
  /** A stored object as the API server writes it, to size raw values the same; name is replaced. */
  sample: Record<string, any>;
}

export interface Figures {
  createsPerS: number;
  getsPerS: number;
  listMs: number;
  pagedListMs: number;
  watchOpenMs: number;
  fanout: { warmMs: number; paced: FanoutResult; burst: FanoutResult };
}

const KEY = (ns: string, name: string) => `/registry/configmaps/${ns}/${name}`;

/** Which namespace the i-th created ConfigMap goes to: the first listSize fill the list namespace. */
export function createTarget(w: Workload, i: number): { ns: string; name: string } {
  return i < w.listSize ? { ns: 'bench-list', name: `cm-${i}` } : { ns: 'bench', name: `cm-${i}` };
}

function valueFor(w: Workload, ns: string, name: string, data?: Record<string, string>): string {
  const o = structuredClone(w.sample);
  o.metadata = { ...o.metadata, name, namespace: ns, uid: crypto.randomUUID() };
  delete o.metadata.resourceVersion;
  if (data) o.data = { ...o.data, ...data };
  return JSON.stringify(o);
}

export async function runRawStore(b: Backend, w: Workload): Promise<Figures> {
  const createMs = await pool(w.creates, w.concurrency, async (i) => {
    const { ns, name } = createTarget(w, i);
    await b.create(KEY(ns, name), valueFor(w, ns, name));
  });
  note(`raw: ${w.creates} creates in ${createMs.toFixed(0)} ms`);
  const getMs = await pool(w.creates, w.concurrency, async (i) => {
    const { ns, name } = createTarget(w, i);
    if (!(await b.get(KEY(ns, name)))) throw new Error(`raw get ${ns}/${name}: missing`);
  });
  note(`raw: ${w.creates} gets in ${getMs.toFixed(0)} ms`);

  const listPrefix = '/registry/configmaps/bench-list/';
  const listMs = await timed(async () => {
    for (let r = 0; r < w.listRounds; r++) {
      const res = await b.list(listPrefix);
      if (res.kvs.length !== w.listSize) throw new Error(`raw list: ${res.kvs.length} keys, want ${w.listSize}`);
    }
  });
  const pagedMs = await timed(async () => {
    for (let r = 0; r < w.listRounds; r++) {
      let seen = 0;
      let revision: number | undefined;
      let startKey: string | undefined;
      for (;;) {
        const res = await b.list(listPrefix, { limit: w.pageLimit, revision, startKey });
        seen += res.kvs.length;
        revision = res.revision;
        if (!res.more || res.kvs.length === 0) break;
        startKey = res.kvs[res.kvs.length - 1]!.key + '\x00';
      }
      if (seen !== w.listSize) throw new Error(`raw paged list: ${seen} keys, want ${w.listSize}`);
    }
  });

  // Fan-out: one backend watch per watcher, as the API server opens one per watch request.
  const log = new DeliveryLog();
  const prefix = '/registry/configmaps/bench-watch/';
  const from = await b.currentRevision();
  const watchers: Watcher[] = [];
  const openStart = performance.now();
  for (let i = 0; i < w.fanout.watchers; i++) {
    watchers.push(
      await b.watch(prefix, from, {
        onEvent: (events) => {
          const at = performance.now();
          for (const e of events) if (e.type !== 'delete') log.record(`${e.type}:${e.kv.key.slice(prefix.length)}`, at);
        },
        onError: (err) => console.error(`raw watch ${i} ended: ${err.message}`),
      }),
    );
  }
  const watchOpenMs = performance.now() - openStart;
  note(`raw: lists done; ${watchers.length} watches open in ${watchOpenMs.toFixed(0)} ms`);
  const revisions = new Map<string, number>();
  let fanout: Figures['fanout'];
  try {
    fanout = await runFanout(log, w.fanout, async (kind, name) => {
      const key = KEY('bench-watch', name);
      if (kind === 'create') {
        revisions.set(name, (await b.create(key, valueFor(w, 'bench-watch', name))).revision);
      } else {
        const res = await b.update(key, valueFor(w, 'bench-watch', name, { rev: 'next' }), revisions.get(name)!);
        if (!res.ok) throw new Error(`raw update ${name}: conflict`);
      }
    });
  } finally {
    for (const x of watchers) x.close();
  }

  return {
    createsPerS: w.creates / (createMs / 1000),
    getsPerS: w.creates / (getMs / 1000),
    listMs: listMs / w.listRounds,
    pagedListMs: pagedMs / w.listRounds,
    watchOpenMs,
    fanout,
  };
}
