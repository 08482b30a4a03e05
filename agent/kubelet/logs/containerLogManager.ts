// Container log rotation (upstream pkg/kubelet/logs/container_log_manager.go). containerd writes
// each container's output to one file under /var/log/pods and never rotates it; the kubelet does:
// every monitor interval, a running container's log that reached maxSize is renamed to
// <log>.<timestamp> and containerd is asked to reopen the log (CRI ReopenContainerLog), so it
// starts a fresh file at the same path — the one `kubectl logs` reads. Rotated files are
// gzipped, all but the newest, and only maxFiles-2 of them are kept.
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Logger } from 'pino';
import type { CriClient } from '../cri/criClient.ts';
import {
  COMPRESS_SUFFIX,
  DEFAULT_LOG_MONITOR_INTERVAL_MS,
  excessLogs,
  logsToCompress,
  rotatedLogName,
  splitUnusedLogs,
  TMP_SUFFIX,
  type LogRotationPolicy,
} from './logRotation.ts';

export interface ContainerLogManagerOptions {
  cri: Pick<CriClient, 'listContainers' | 'containerStatus' | 'reopenContainerLog'>;
  policy: LogRotationPolicy;
  log: Logger;
  monitorIntervalMs?: number;
  now?: () => Date;
}

/** The rotated files of a log: `<log>.*` in its directory. */
async function rotatedFiles(logPath: string): Promise<string[]> {
  const dir = dirname(logPath);
  const prefix = `${basename(logPath)}.`;
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.startsWith(prefix)).map((n) => join(dir, n));
}

async function exists(path: string): Promise<boolean> {
  return fs.stat(path).then(
    () => true,
    () => false,
  );
}

export class ContainerLogManager {
  private readonly now: () => Date;

  constructor(private readonly o: ContainerLogManagerOptions) {
    this.now = o.now ?? (() => new Date());
  }

  /** Checks every monitor interval until the signal aborts (upstream Start: wait.Until). */
  async run(signal: AbortSignal): Promise<void> {
    const interval = this.o.monitorIntervalMs ?? DEFAULT_LOG_MONITOR_INTERVAL_MS;
    while (!signal.aborted) {
      try {
        await this.rotateLogs();
      } catch (err) {
        this.o.log.warn({ err: (err as Error).message }, 'container log rotation failed');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, interval);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
    }
  }

  /** One pass over the running containers (upstream rotateLogs). */
  async rotateLogs(): Promise<void> {
    const containers = await this.o.cri.listContainers({ state: { state: 'CONTAINER_RUNNING' } });
    for (const c of containers) {
      try {
        await this.rotateIfNeeded(c.id);
      } catch (err) {
        this.o.log.warn({ containerId: c.id, err: (err as Error).message }, 'cannot rotate container log');
      }
    }
  }

  private async rotateIfNeeded(id: string): Promise<void> {
    const status = await this.o.cri.containerStatus(id);
    const logPath = status?.log_path;
    if (!status || status.state !== 'CONTAINER_RUNNING' || !logPath) return;
    let size: number;
    try {
      size = (await fs.stat(logPath)).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // Lost between a rename and a failed reopen (upstream): reopening recreates it.
      await this.o.cri.reopenContainerLog(id);
      size = (await fs.stat(logPath)).size;
    }
    if (size < this.o.policy.maxSizeBytes) return;
    await this.rotateLog(id, logPath);
  }

  /** Upstream rotateLog: leftovers, excess, compression, then the current file. */
  async rotateLog(id: string, logPath: string): Promise<void> {
    const { inUse, unused } = splitUnusedLogs(await rotatedFiles(logPath));
    for (const f of unused) await fs.rm(f, { force: true });
    const { remove, keep } = excessLogs(inUse, this.o.policy.maxFiles);
    for (const f of remove) await fs.rm(f, { force: true });
    for (const f of logsToCompress(keep)) await compressLog(f);
    await this.rotateLatestLog(id, logPath);
  }

  /** Rename, then reopen; if containerd cannot reopen, the name goes back so nothing is lost. */
  private async rotateLatestLog(id: string, logPath: string): Promise<void> {
    const rotated = rotatedLogName(logPath, this.now());
    // Two rotations within one second would collide on the name: wait for the next one.
    if ((await exists(rotated)) || (await exists(rotated + COMPRESS_SUFFIX))) return;
    await fs.rename(logPath, rotated);
    try {
      await this.o.cri.reopenContainerLog(id);
    } catch (err) {
      await fs.rename(rotated, logPath).catch(() => undefined);
      throw new Error(`failed to reopen container log ${id}: ${(err as Error).message}`);
    }
    this.o.log.info({ containerId: id, rotated }, 'container log rotated');
  }

  /** Upstream Clean: a removed container's rotated files go with it. */
  async clean(id: string): Promise<void> {
    const logPath = (await this.o.cri.containerStatus(id))?.log_path;
    if (!logPath) return;
    for (const f of await rotatedFiles(logPath)) await fs.rm(f, { force: true });
  }
}

/** gzip into <file>.tmp, rename to <file>.gz, remove the original (upstream compressLog). */
async function compressLog(file: string): Promise<void> {
  const tmp = `${file}${TMP_SUFFIX}`;
  try {
    await pipeline(createReadStream(file), createGzip(), createWriteStream(tmp, { mode: 0o644 }));
    await fs.rename(tmp, file + COMPRESS_SUFFIX);
    await fs.rm(file, { force: true });
  } finally {
    await fs.rm(tmp, { force: true });
  }
}
