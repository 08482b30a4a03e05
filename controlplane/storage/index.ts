// Picks the store the control plane runs on: the embedded SQLite file (the default, like k3s's
// kine) or an etcd v3 cluster.

import { join } from 'node:path';
import type { Logger } from 'pino';
import { EtcdBackend } from './etcd.ts';
import { SqliteBackend } from './sqlite.ts';
import type { Backend } from './types.ts';

export * from './types.ts';

export interface BackendOptions {
  storage: 'sqlite' | 'etcd';
  /** Directory of the SQLite file (state.db); required for sqlite. */
  dataDir?: string;
  /** etcd client URLs; required for etcd. */
  etcdServers?: string[];
  logger?: Logger;
}

export const SQLITE_FILE = 'state.db';

/** Builds (but does not start) the configured backend. */
export function createBackend(opts: BackendOptions): Backend {
  switch (opts.storage) {
    case 'sqlite':
      if (!opts.dataDir) throw new Error('storage "sqlite" needs a data directory');
      return new SqliteBackend({ path: join(opts.dataDir, SQLITE_FILE), logger: opts.logger });
    case 'etcd':
      if (!opts.etcdServers?.length) throw new Error('storage "etcd" needs at least one etcd server URL');
      return new EtcdBackend({ endpoints: opts.etcdServers });
  }
}
