// Container lifecycle hooks (upstream pkg/kubelet/lifecycle/handlers.go handlerRunner.Run):
// exec runs the command in the container through CRI ExecSync, httpGet sends one GET from the
// node, sleep waits. The result is a message for the container's waiting state when the hook
// failed (the event a user sees says only "PostStartHook failed" / "PreStopHook failed", so
// that a command's output never leaks secrets into events), or undefined when it succeeded.
import http from 'node:http';
import https from 'node:https';
import type { Container, LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';
import { buildHttpProbeRequest } from '../prober/httpProbe.ts';
import { dialErrorText, joinHostPort } from '../prober/netErrors.ts';

/** Events and waiting reason of a failed hook (upstream pkg/kubelet/events, kuberuntime ErrPostStartHook). */
export const FAILED_POST_START_HOOK = 'FailedPostStartHook';
export const FAILED_PRE_STOP_HOOK = 'FailedPreStopHook';
export const POST_START_HOOK_ERROR = 'PostStartHookError';
/** The User-Agent of hook requests (upstream NewRequestForHTTPGetAction(..., "lifecycle")). */
export const LIFECYCLE_USER_AGENT = 'kube-lifecycle/1.32';

/** What a hook needs of the runtime. */
export interface HookRuntime {
  execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<{ stdout: Buffer; stderr: Buffer; exit_code: number }>;
  /** The pod's first IP, for an httpGet hook without a host (upstream reads the pod status). */
  podIP(pod: Pod): Promise<string | undefined>;
  /** An HTTPS hook got a plain HTTP answer and was sent again over HTTP, which worked (event LifecycleHTTPFallback). */
  httpFallback?(pod: Pod, host: string): void;
}

/** Upstream's event reason when an HTTPS hook fell back to HTTP. */
export const LIFECYCLE_HTTP_FALLBACK = 'LifecycleHTTPFallback';

/** Upstream format.Pod: name_namespace(uid). */
export function formatPod(pod: Pod): string {
  return `${pod.metadata?.name}_${pod.metadata?.namespace ?? 'default'}(${pod.metadata?.uid ?? ''})`;
}

/** Which action a handler names; a handler with none is an error, as upstream's Run says. */
export function handlerKind(handler: LifecycleHandler): 'exec' | 'httpGet' | 'sleep' | undefined {
  if (handler.exec) return 'exec';
  if (handler.httpGet) return 'httpGet';
  if (handler.sleep) return 'sleep';
  return undefined;
}

/**
 * Runs one hook; resolves to the failure message, or undefined on success. `signal` ends a hook
 * that outlives its time (a preStop past the grace period); an exec cannot be recalled, so its
 * result is then simply ignored.
 */
export async function runLifecycleHandler(
  rt: HookRuntime,
  pod: Pod,
  container: Container,
  containerId: string,
  handler: LifecycleHandler,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const kind = handlerKind(handler);
  if (kind === 'exec') {
    const cmd = handler.exec?.command ?? [];
    let output = '';
    let error: string | undefined;
    try {
      // Upstream passes no timeout (0): the hook runs as long as it needs, or until the pod is
      // stopped (the command goes on in the container until the container itself stops).
      const res = await untilAborted(rt.execSync(containerId, cmd, 0), signal);
      output = Buffer.concat([res.stdout ?? Buffer.alloc(0), res.stderr ?? Buffer.alloc(0)]).toString('utf8');
      if (res.exit_code !== 0) error = `command '${cmd.join(' ')}' exited with ${res.exit_code}: ${(res.stderr ?? Buffer.alloc(0)).toString('utf8')}`;
    } catch (err) {
      error = (err as { details?: string }).details ?? (err as Error).message;
    }
    if (error === undefined) return undefined;
    return `Exec lifecycle hook ([${cmd.join(' ')}]) for Container ${JSON.stringify(container.name)} in Pod ${JSON.stringify(formatPod(pod))} failed - error: ${error}, message: ${JSON.stringify(output)}`;
  }
  if (kind === 'httpGet') {
    const action = handler.httpGet!;
    const error = await runHttpGet(rt, pod, container, action, signal);
    if (error === undefined) return undefined;
    return `HTTP lifecycle hook (${action.path ?? ''}) for Container ${JSON.stringify(container.name)} in Pod ${JSON.stringify(formatPod(pod))} failed - error: ${error}`;
  }
  if (kind === 'sleep') {
    const seconds = Number(handler.sleep?.seconds ?? 0);
    const completed = await new Promise<boolean>((resolve) => {
      if (signal?.aborted) return resolve(false);
      const timer = setTimeout(() => resolve(true), seconds * 1000);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve(false);
      }, { once: true });
    });
    if (completed) return undefined;
    return `Sleep lifecycle hook (${seconds}) for Container ${JSON.stringify(container.name)} in Pod ${JSON.stringify(formatPod(pod))} failed - error: container terminated before sleep hook finished`;
  }
  return `invalid handler: ${JSON.stringify(handler)}`;
}

/** The call's result, or a rejection once the signal aborts (the call itself cannot be recalled). */
function untilAborted<T>(call: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return call;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('context canceled'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    call.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * One GET (upstream runHTTPHandler): only a transport error fails the hook — any HTTP status,
 * 500 included, counts as delivered. Redirects are not followed.
 */
async function runHttpGet(rt: HookRuntime, pod: Pod, container: Container, action: NonNullable<LifecycleHandler['httpGet']>, signal?: AbortSignal): Promise<string | undefined> {
  let host = action.host ?? '';
  if (!host) {
    const ip = await rt.podIP(pod);
    if (!ip) return `failed to find networking container: no IP for pod ${formatPod(pod)}`;
    host = ip;
  }
  const built = buildHttpProbeRequest(action, container, host);
  if ('error' in built) return built.error;
  const headers = built.headers.map(([n, v]): [string, string] => (n === 'User-Agent' && !(action.httpHeaders ?? []).some((h) => h.name.toLowerCase() === 'user-agent') ? [n, LIFECYCLE_USER_AGENT] : [n, v]));
  const first = await httpGetOnce(built.url, headers, signal);
  // Upstream: an HTTPS hook that got an HTTP response is sent again over HTTP, without
  // Authorization; if that works the hook succeeded, with an event saying so.
  if (first.plainHttpAnswer && built.url.protocol === 'https:') {
    const url = new URL(built.url);
    url.protocol = 'http:';
    const retry = await httpGetOnce(url, headers.filter(([n]) => n !== 'Authorization'), signal);
    if (retry.error === undefined) {
      rt.httpFallback?.(pod, url.host);
      return undefined;
    }
  }
  return first.error;
}

/** One GET; `plainHttpAnswer` when TLS failed because the server spoke plain HTTP. */
function httpGetOnce(url: URL, headers: [string, string][], signal?: AbortSignal): Promise<{ error?: string; plainHttpAnswer?: boolean }> {
  return new Promise((resolve) => {
    const mod = url.protocol === 'https:' ? https : http;
    const addr = joinHostPort(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port || (url.protocol === 'https:' ? 443 : 80)));
    const req = mod.request(url, { method: 'GET', headers: Object.fromEntries(headers), agent: false, rejectUnauthorized: false, signal });
    const prefix = `Get ${JSON.stringify(url.toString())}`;
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (signal?.aborted) return resolve({ error: `${prefix}: context canceled` });
      if (err.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/.test(err.message)) {
        return resolve({ error: `${prefix}: http: server gave HTTP response to HTTPS client`, plainHttpAnswer: true });
      }
      if (err.message === 'socket hang up') return resolve({ error: `${prefix}: EOF` });
      if (err.syscall === 'connect' || err.syscall === 'getaddrinfo') return resolve({ error: `${prefix}: ${dialErrorText(err, addr, false)}` });
      resolve({ error: `${prefix}: ${err.message}` });
    });
    req.on('response', (res) => {
      // Upstream discards the body: the answer arrived, the hook is delivered.
      res.resume();
      res.on('error', () => undefined);
      resolve({});
      req.destroy();
    });
    req.end();
  });
}
