// The lab's image registry: Debian's docker-registry (distribution 2.8), plain HTTP, filesystem
// storage, running inside a node's namespace (the master's in the lab) on that node's address.
//
//   registryPaths(dir)                     config, storage, log and pid file under dir
//   renderRegistryConfig({ addr, storageDir })   config.yml (pure)
//   startRegistry(ns, paths, addr)         → pid, once GET /v2/ answers from inside the namespace
//   stopRegistry(paths)                    by PID
//
// Every node's containerd mirrors docker.io to it (containerdConfig.ts), so manifests keep their
// usual image names.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tryExecIn } from './netns.ts';
import { daemonPid, startDaemon, stopDaemon, waitFor } from './processes.ts';

export const REGISTRY_BIN = '/usr/bin/docker-registry';
export const REGISTRY_PORT = 5000;
const HTTP_PROBE_TIMEOUT_MS = 2000;

export interface RegistryPaths {
  dir: string;
  configFile: string;
  storageDir: string;
  logFile: string;
  pidFile: string;
}

export function registryPaths(dir: string): RegistryPaths {
  return {
    dir,
    configFile: join(dir, 'config.yml'),
    storageDir: join(dir, 'storage'),
    logFile: join(dir, 'registry.log'),
    pidFile: join(dir, 'registry.pid'),
  };
}

/** `addr` is host:port. Deletes are enabled so that images can be replaced and cleaned up. */
export function renderRegistryConfig(opts: { addr: string; storageDir: string }): string {
  return `version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: ${JSON.stringify(opts.storageDir)}
  delete:
    enabled: true
http:
  addr: ${JSON.stringify(opts.addr)}
`;
}

export function registryPid(paths: RegistryPaths): number | undefined {
  return daemonPid(paths.pidFile, paths.configFile);
}

export async function startRegistry(ns: string, paths: RegistryPaths, addr: string): Promise<number> {
  mkdirSync(paths.storageDir, { recursive: true });
  writeFileSync(paths.configFile, renderRegistryConfig({ addr, storageDir: paths.storageDir }));
  const running = registryPid(paths);
  if (running !== undefined) return running;
  const pid = startDaemon({ ns, cmd: REGISTRY_BIN, args: ['serve', paths.configFile], logFile: paths.logFile, pidFile: paths.pidFile });
  await waitFor(`the registry on ${addr}`, async () => {
    if (registryPid(paths) === undefined) throw new Error(`docker-registry exited; see ${paths.logFile}`);
    return registryAnswers(ns, addr);
  });
  return pid;
}

/** GET /v2/ from inside the namespace (the address is not reachable from the root namespace). */
export async function registryAnswers(ns: string, addr: string): Promise<boolean> {
  return (await httpGetIn(ns, `http://${addr}/v2/`)).ok;
}

/**
 * An HTTP GET made from inside a namespace by a short-lived node process (curl may be missing on
 * a fresh machine; node never is). A failed request has status 0 and the error code as body
 * (ECONNREFUSED, ETIMEDOUT …).
 */
export async function httpGetIn(ns: string, url: string): Promise<{ ok: boolean; status: number; body: string }> {
  const script = `fetch(process.argv[1], { signal: AbortSignal.timeout(${HTTP_PROBE_TIMEOUT_MS}) })
    .then(async (r) => process.stdout.write(JSON.stringify({ ok: r.ok, status: r.status, body: await r.text() })))
    .catch((e) => process.stdout.write(JSON.stringify({ ok: false, status: 0, body: String(e.cause?.code ?? e) })))`;
  const res = await tryExecIn(ns, process.execPath, ['-e', script, url]);
  if (res.code !== 0 || !res.stdout) return { ok: false, status: 0, body: res.stderr };
  return JSON.parse(res.stdout) as { ok: boolean; status: number; body: string };
}

export async function stopRegistry(paths: RegistryPaths): Promise<void> {
  await stopDaemon(paths.pidFile, paths.configFile);
}
