import { afterAll, beforeAll } from 'vitest';
import { type EtcdServer, startEtcd } from '../../test/support/etcd.ts';
import { backendSuite } from './backendSuite.ts';
import { EtcdBackend } from './etcd.ts';

let etcd: EtcdServer;
beforeAll(async () => {
  etcd = await startEtcd();
}, 120_000); // may include apt-get install etcd-server on a fresh machine
afterAll(async () => {
  await etcd?.stop();
});

backendSuite('etcd', async () => new EtcdBackend({ endpoints: [etcd.endpoint] }));
