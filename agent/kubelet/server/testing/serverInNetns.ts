// Test fixture, run inside a test node's network namespace (where containerd's stream server
// listens on loopback):
//
//   nsenter --net=/run/netns/<node> node --import tsx serverInNetns.ts <config.json>
//
// Starts the kubelet server on 127.0.0.1:0 in that namespace and relays a unix socket to it, so
// a test in the root namespace reaches the server through the file system only (the network
// rule: no routes into test namespaces). The pods it serves come from a JSON state file the test
// rewrites as its pods change: { pods: Pod[], runtime: { [uid]: RuntimePodStatus } }.
// Prints "READY" once both listen; exits on SIGTERM.
import { readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { CriClient } from '../../cri/criClient.ts';
import type { RuntimePodStatus } from '../../runtime/types.ts';
import { startKubeletServer } from '../kubeletServer.ts';

export interface FixtureConfig {
  criSocket: string;
  cert: string;
  key: string;
  clientCA: string;
  stateFile: string;
  relaySocket: string;
}

export interface FixtureState {
  pods: Pod[];
  runtime: Record<string, RuntimePodStatus>;
}

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as FixtureConfig;
const state = (): FixtureState => JSON.parse(readFileSync(config.stateFile, 'utf8')) as FixtureState;
const log = {
  debug: () => {},
  info: () => {},
  warn: (obj: object, msg: string) => process.stderr.write(`${msg} ${JSON.stringify(obj)}\n`),
};

const cri = new CriClient({ endpoint: config.criSocket });
const server = await startKubeletServer({
  bindAddress: '127.0.0.1',
  port: 0,
  tls: { cert: config.cert, key: config.key, clientCA: config.clientCA },
  cri,
  criEndpoint: config.criSocket,
  lookupPod: (ns, name) => state().pods.find((p) => p.metadata?.namespace === ns && p.metadata?.name === name),
  listPods: () => state().pods,
  runtimeStatus: async (uid) => state().runtime[uid],
  log,
});

rmSync(config.relaySocket, { force: true });
const relay = createServer((client) => {
  const upstream = createConnection({ host: '127.0.0.1', port: server.port });
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
  client.on('close', close);
  upstream.on('close', close);
});
await new Promise<void>((resolve) => relay.listen(config.relaySocket, resolve));
process.stdout.write('READY\n');

process.on('SIGTERM', () => {
  relay.close();
  void server.close().finally(() => {
    cri.close();
    process.exit(0);
  });
});
