// The shared informer factory (client-go informers/factory.go): one informer per resource and
// namespace, shared by every caller so a process keeps one watch and one cache per resource.
import { apiVersionOf, type ResourceInfo } from '../api/resources.ts';
import { SharedInformer } from './informer.ts';
import type { Logger } from './log.ts';
import type { Client, Informer, InformerFactory, KubeObject } from './types.ts';

// cache.WaitForCacheSync polls every 100 ms (syncedPollPeriod).
const SYNC_POLL_MS = 100;

export interface InformerFactoryOptions {
  /** Resync period of every informer; 0 / unset = no resync. */
  resyncMs?: number;
  logger?: Logger;
}

export function createInformerFactory(client: Client, opts: InformerFactoryOptions = {}): InformerFactory {
  const informers = new Map<string, SharedInformer<any>>();
  let startedWith: AbortSignal | undefined;

  return {
    informerFor<T extends KubeObject>(r: ResourceInfo, namespace?: string): Informer<T> {
      const key = `${apiVersionOf(r)}/${r.plural}@${namespace ?? ''}`;
      let inf = informers.get(key) as SharedInformer<T> | undefined;
      if (!inf) {
        const name = `${namespace ? namespace + '/' : ''}${r.plural}${r.group ? '.' + r.group : ''}`;
        inf = new SharedInformer<T>(client.resource<T>(r, namespace), { resyncMs: opts.resyncMs, name, logger: opts.logger });
        informers.set(key, inf);
        // Upstream needs Start called again for informers requested later; starting them at
        // once is what every caller wants.
        if (startedWith) inf.run(startedWith);
      }
      return inf;
    },
    start(signal) {
      startedWith = signal;
      for (const inf of informers.values()) inf.run(signal);
    },
    waitForSync(signal) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (signal.aborted) return reject(new Error('waitForSync: aborted before the caches synced'));
          if ([...informers.values()].every((i) => i.hasSynced())) return resolve();
          setTimeout(check, SYNC_POLL_MS);
        };
        check();
      });
    },
  };
}
