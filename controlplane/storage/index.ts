// Picks the store the control plane runs on: the embedded SQLite file (the default, like k3s's
// kine) or an etcd v3 cluster.

import { join } from 'node:path';
import type { Logger } from 'pino';
import { EtcdBackend } from './etcd.ts';
import { DEFAULT_COMPACT_INTERVAL_MS, DEFAULT_COMPACT_RETAIN, SqliteBackend } from './sqlite.ts';
import type { Backend } from './types.ts';

export * from './types.ts';

export interface BackendOptions {
  storage: 'sqlite' | 'etcd';
  /** Directory of the SQLite file (state.db); required for sqlite. */
  dataDir?: string;
  /** etcd client URLs; required for etcd. */
  etcdServers?: string[];
  logger?: Logger;
  /** How often old revisions are compacted away (0: never), and how many recent ones are kept. */
  compactIntervalMs?: number;
  compactRetain?: number;
}

export const SQLITE_FILE = 'state.db';

/** Builds (but does not start) the configured backend. */
export function createBackend(opts: BackendOptions): Backend {
  switch (opts.storage) {
    case 'sqlite':
      if (!opts.dataDir) throw new Error('storage "sqlite" needs a data directory');
      return new SqliteBackend({ path: join(opts.dataDir, SQLITE_FILE), logger: opts.logger, compactIntervalMs: opts.compactIntervalMs, compactRetain: opts.compactRetain });
    case 'etcd':
      if (!opts.etcdServers?.length) throw new Error('storage "etcd" needs at least one etcd server URL');
      return withPeriodicCompaction(new EtcdBackend({ endpoints: opts.etcdServers }), opts.compactIntervalMs ?? DEFAULT_COMPACT_INTERVAL_MS, opts.compactRetain ?? DEFAULT_COMPACT_RETAIN, opts.logger);
  }
}

/**
 * etcd keeps every revision until someone compacts; upstream's API server does it every 5 minutes
 * (k8s.io/apiserver/pkg/storage/etcd3/compact.go). This runs the same loop, keeping `retain` revisions.
 */
function withPeriodicCompaction(backend: Backend, intervalMs: number, retain: number, logger?: Logger): Backend {
  if (!intervalMs) return backend;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    try {
      const target = (await backend.currentRevision()) - retain;
      if (target > 0) await backend.compact(target);
    } catch (err) {
      logger?.warn({ err }, 'compaction failed');
    }
  };
  const start = backend.start.bind(backend);
  const close = backend.close.bind(backend);
  backend.start = async () => {
    await start();
    timer = setInterval(() => void tick(), intervalMs);
    timer.unref();
  };
  backend.close = async () => {
    clearInterval(timer);
    await close();
  };
  return backend;
}
