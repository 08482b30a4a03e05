// GET /containerLogs/{namespace}/{pod}/{container}: what `kubectl logs` reaches through the API
// server (upstream pkg/kubelet/server/server.go getContainerLogs, then
// kubelet.GetKubeletContainerLogs and kuberuntime GetContainerLogs).
import type { ServerResponse } from 'node:http';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { containerLogTarget, type LogTarget } from './containerLogTarget.ts';
import { readCriLog } from './criLogReader.ts';
import { errors, writeError } from './httpReplies.ts';
import { parseLogOptions } from './logOptions.ts';
import type { KubeletServerContext } from './types.ts';

function hasContainer(pod: Pod, name: string): boolean {
  const s = pod.spec;
  return [...(s?.containers ?? []), ...(s?.initContainers ?? []), ...(s?.ephemeralContainers ?? [])].some((c) => c.name === name);
}

/**
 * The status names the instance; when the kubelet has no status for the container yet, the
 * runtime's instances (newest first) stand in.
 */
async function resolveTarget(ctx: KubeletServerContext, pod: Pod, container: string, previous: boolean): Promise<LogTarget> {
  const target = containerLogTarget(pod, container, previous);
  if ('containerId' in target || !target.error.endsWith('is not available')) return target;
  const runtime = await ctx.runtimeStatus(pod.metadata?.uid ?? '');
  const instances = runtime?.containerStatuses.filter((c) => c.name === container) ?? [];
  const chosen = previous ? instances[1] : instances[0];
  return chosen ? { containerId: chosen.id } : target;
}

export async function serveContainerLogs(
  ctx: KubeletServerContext,
  res: ServerResponse,
  params: { namespace: string; pod: string; container: string },
  query: URLSearchParams,
): Promise<void> {
  try {
    const opts = parseLogOptions(query, Date.now());
    const pod = ctx.lookupPod(params.namespace, params.pod);
    if (!pod) throw errors.notFound(`pod ${JSON.stringify(params.pod)} does not exist`);
    if (!hasContainer(pod, params.container)) throw errors.notFound(`container ${JSON.stringify(params.container)} not found in pod ${JSON.stringify(params.pod)}`);
    const target = await resolveTarget(ctx, pod, params.container, opts.previous);
    if ('error' in target) throw errors.badRequest(target.error);
    const status = await ctx.cri.containerStatus(target.containerId);
    if (!status) throw errors.badRequest(`failed to get container status ${JSON.stringify(target.containerId)}: not found`);

    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const sink = async (chunk: Buffer) => {
      if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'text/plain' });
      if (!res.write(chunk) && !abort.signal.aborted) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            abort.signal.removeEventListener('abort', done);
            resolve();
          };
          res.on('drain', done);
          abort.signal.addEventListener('abort', done);
        });
      }
    };
    try {
      await readCriLog(
        status.log_path,
        {
          ...opts,
          signal: abort.signal,
          isRunning: async () => (await ctx.cri.containerStatus(target.containerId))?.state === 'CONTAINER_RUNNING',
          onParseError: (err) => ctx.log.warn({ path: status.log_path, err: err.message }, 'skipping a malformed line in a container log'),
        },
        sink,
      );
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES') throw errors.badRequest(`failed to open log file ${JSON.stringify(status.log_path)}: ${(err as Error).message}`);
      throw err;
    }
    if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end();
  } catch (err) {
    writeError(res, err);
  }
}
