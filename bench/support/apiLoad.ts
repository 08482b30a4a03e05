// The API server side of the benchmark: the workload of rawStore.ts, sent over HTTPS with
// keep-alive to a running server, plus 1000 watch streams for the fan-out.
import { performance } from 'node:perf_hooks';
import { adminAgent, adminCredentials, ApiClient, memoryOf, note, pool, timed } from './httpsLoad.ts';
import { DeliveryLog, openHttpWatches, runFanout } from './fanout.ts';
import { createTarget, type Figures, type Workload } from './rawStore.ts';

export interface ApiFigures extends Figures {
  /** A created object as the server returned it, to size the raw store's values the same. */
  sample: Record<string, any>;
  memory: { idleMiB: number; watchingMiB: number; endMiB: number; peakMiB: number };
}

/** Watch streams are spread over this many agents, each with enough sockets for its share. */
const WATCH_AGENTS = 4;
const WATCH_OPEN_CONCURRENCY = 32;

const cmPath = (ns: string, name?: string) => `/api/v1/namespaces/${ns}/configmaps${name ? `/${name}` : ''}`;

function configMap(name: string): Record<string, any> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels: { app: 'bench' } },
    data: { 'app.properties': 'color=blue\nsize=large\n'.repeat(8), mode: 'bench' },
  };
}

export async function runApiServerLoad(url: string, dataDir: string, serverPid: number, w: Omit<Workload, 'sample'>): Promise<ApiFigures> {
  const creds = adminCredentials(dataDir);
  const agent = adminAgent(creds, w.concurrency);
  const api = new ApiClient(url, agent);
  const idleMiB = memoryOf(serverPid).rssMiB;
  for (const ns of ['bench', 'bench-list', 'bench-watch']) await api.expect(201, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });

  let sample: Record<string, any> | undefined;
  const createMs = await pool(w.creates, w.concurrency, async (i) => {
    const { ns, name } = createTarget({ ...w, sample: {} }, i);
    const created = await api.expect(201, 'POST', cmPath(ns), configMap(name));
    if (i === 0) sample = created;
  });
  note(`${w.creates} creates in ${createMs.toFixed(0)} ms`);
  const getMs = await pool(w.creates, w.concurrency, async (i) => {
    const { ns, name } = createTarget({ ...w, sample: {} }, i);
    await api.expect(200, 'GET', cmPath(ns, name));
  });
  note(`${w.creates} gets in ${getMs.toFixed(0)} ms`);

  const listMs = await timed(async () => {
    for (let r = 0; r < w.listRounds; r++) {
      const list = await api.expect(200, 'GET', cmPath('bench-list'));
      if (list.items.length !== w.listSize) throw new Error(`list: ${list.items.length} items, want ${w.listSize}`);
    }
  });
  const pagedMs = await timed(async () => {
    for (let r = 0; r < w.listRounds; r++) {
      let seen = 0;
      let token: string | undefined;
      do {
        const q = `?limit=${w.pageLimit}${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
        const page = await api.expect(200, 'GET', cmPath('bench-list') + q);
        seen += page.items.length;
        token = page.metadata?.continue || undefined;
      } while (token);
      if (seen !== w.listSize) throw new Error(`paged list: ${seen} items, want ${w.listSize}`);
    }
  });

  // Fan-out: watches from the namespace's current resourceVersion, then paced creates and burst updates.
  const rv = (await api.expect(200, 'GET', cmPath('bench-watch'))).metadata.resourceVersion as string;
  const perAgent = Math.ceil(w.fanout.watchers / WATCH_AGENTS);
  const watchAgents = Array.from({ length: WATCH_AGENTS }, () => adminAgent(creds, perAgent));
  const log = new DeliveryLog();
  const openStart = performance.now();
  const watches = await openHttpWatches(url, `${cmPath('bench-watch')}?watch=1&resourceVersion=${rv}`, watchAgents, w.fanout.watchers, WATCH_OPEN_CONCURRENCY, log);
  const watchOpenMs = performance.now() - openStart;
  note(`lists done; ${watches.opened} watches open in ${watchOpenMs.toFixed(0)} ms`);
  if (watches.opened !== w.fanout.watchers) throw new Error(`opened ${watches.opened} of ${w.fanout.watchers} watches`);
  const watchingMiB = memoryOf(serverPid).rssMiB;

  const current = new Map<string, Record<string, any>>();
  let fanout: Figures['fanout'];
  try {
    fanout = await runFanout(log, w.fanout, async (kind, name) => {
      if (kind === 'create') {
        current.set(name, await api.expect(201, 'POST', cmPath('bench-watch'), configMap(name)));
      } else {
        const obj = current.get(name)!;
        await api.expect(200, 'PUT', cmPath('bench-watch', name), { ...obj, data: { ...obj.data, rev: 'next' } });
      }
    });
  } finally {
    watches.close();
    for (const a of watchAgents) a.destroy();
    agent.destroy();
  }
  const end = memoryOf(serverPid);
  return {
    createsPerS: w.creates / (createMs / 1000),
    getsPerS: w.creates / (getMs / 1000),
    listMs: listMs / w.listRounds,
    pagedListMs: pagedMs / w.listRounds,
    watchOpenMs,
    fanout,
    sample: sample!,
    memory: { idleMiB, watchingMiB, endMiB: end.rssMiB, peakMiB: end.peakMiB },
  };
}
