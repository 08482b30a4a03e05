import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EtcdBackend } from './etcd.ts';
import { createBackend } from './index.ts';
import { SqliteBackend } from './sqlite.ts';

describe('createBackend', () => {
  it('opens the SQLite store at <dataDir>/state.db', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-storage-'));
    try {
      const b = createBackend({ storage: 'sqlite', dataDir: dir });
      expect(b).toBeInstanceOf(SqliteBackend);
      await b.start();
      await b.close();
      expect(existsSync(join(dir, 'state.db'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds an etcd store for the given servers', () => {
    expect(createBackend({ storage: 'etcd', etcdServers: ['http://127.0.0.1:2379'] })).toBeInstanceOf(EtcdBackend);
  });

  it('refuses options missing what the store needs', () => {
    expect(() => createBackend({ storage: 'sqlite' })).toThrow(/data directory/);
    expect(() => createBackend({ storage: 'etcd', etcdServers: [] })).toThrow(/etcd server/);
  });
});
