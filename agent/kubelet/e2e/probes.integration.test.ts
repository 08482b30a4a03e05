// Probes end to end (root only): readiness flipping the Ready column as a file comes and goes
// (`kubectl exec` touches and removes it), a failing liveness probe restarting its container, a
// startup probe holding `started` back, and httpGet/tcpSocket probes against busybox's httpd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { busyboxPod, startKubectlNode, type KubectlNode } from '../testing/kubectlNode.ts';

const isRoot = process.getuid?.() === 0;

const pod = (name: string, command: string, probes: string) => busyboxPod(name, command, { extra: probes });

const containerStatus = (p: Pod) => p.status?.containerStatuses?.[0];
const readyCondition = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status;

/** busybox's httpd in the foreground, serving /www with an index page. */
const HTTPD = 'mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 80 -h /www';

describe.skipIf(!isRoot)('probes through kubectl', () => {
  let k: KubectlNode;

  beforeAll(async () => {
    k = await startKubectlNode('kprb');
  }, 600_000);

  afterAll(async () => {
    await k?.stop();
  }, 120_000);

  const readyColumn = async (name: string) => /^\S+\s+(\d\/\d)\s+/.exec((await k.kubectl(['get', 'pod', name, '--no-headers'])).stdout)?.[1];

  it('an exec readiness probe flips Ready as a file is created and removed', async () => {
    await k.apply(
      pod(
        'ready-file',
        'exec sleep 3600',
        `    readinessProbe:
      exec: { command: ["test", "-f", "/tmp/ready"] }
      periodSeconds: 1
      failureThreshold: 1
`,
      ),
    );
    const p = await k.waitPod('ready-file', (p) => !!containerStatus(p)?.state?.running, 'running');
    expect(containerStatus(p)).toMatchObject({ ready: false, started: true });
    expect(readyCondition(p)).toBe('False');
    expect(await readyColumn('ready-file')).toBe('0/1');

    expect((await k.kubectl(['exec', 'ready-file', '--', 'touch', '/tmp/ready'])).code).toBe(0);
    await k.waitPod('ready-file', (p) => readyCondition(p) === 'True' && containerStatus(p)?.ready === true, 'Ready');
    expect(await readyColumn('ready-file')).toBe('1/1');

    expect((await k.kubectl(['exec', 'ready-file', '--', 'rm', '/tmp/ready'])).code).toBe(0);
    const notReady = await k.waitPod('ready-file', (p) => readyCondition(p) === 'False', 'not Ready again');
    // Readiness never restarts anything.
    expect(containerStatus(notReady)).toMatchObject({ ready: false, restartCount: 0 });
    expect((await k.events('ready-file')).some((e) => e.reason === 'Unhealthy' && /^Readiness probe failed/.test(e.message ?? ''))).toBe(true);
    await k.deletePod('ready-file');
  }, 240_000);

  it('a failing liveness probe restarts the container: RESTARTS goes up, Unhealthy and Killing events', async () => {
    await k.apply(
      pod(
        'not-alive',
        'touch /tmp/alive; exec sleep 3600',
        `    livenessProbe:
      exec: { command: ["test", "-f", "/tmp/alive"] }
      periodSeconds: 1
      failureThreshold: 2
`,
      ),
    );
    const first = await k.waitPod('not-alive', (p) => !!containerStatus(p)?.state?.running, 'running');
    // The probe passes while the file is there; removing it fails the probe.
    expect((await k.kubectl(['exec', 'not-alive', '--', 'rm', '/tmp/alive'])).code).toBe(0);
    const restarted = await k.waitPod('not-alive', (p) => (containerStatus(p)?.restartCount ?? 0) >= 1, 'restarted');
    expect(containerStatus(restarted)?.containerID).not.toBe(containerStatus(first)?.containerID);
    expect(containerStatus(restarted)?.lastState?.terminated).toBeTruthy();
    const table = (await k.kubectl(['get', 'pod', 'not-alive', '--no-headers'])).stdout;
    expect(Number(/^not-alive\s+\S+\s+\S+\s+(\d+)/.exec(table)?.[1])).toBeGreaterThanOrEqual(1);
    const events = await k.events('not-alive');
    expect(events.some((e) => e.reason === 'Unhealthy' && /^Liveness probe failed/.test(e.message ?? ''))).toBe(true);
    expect(events.some((e) => e.reason === 'Killing' && e.message === 'Container main failed liveness probe, will be restarted')).toBe(true);
    await k.deletePod('not-alive');
  }, 240_000);

  it('a startup probe holds started and ready back until it succeeds', async () => {
    await k.apply(
      pod(
        'slow-start',
        'exec sleep 3600',
        `    startupProbe:
      exec: { command: ["test", "-f", "/tmp/started"] }
      periodSeconds: 1
      failureThreshold: 600
`,
      ),
    );
    const pending = await k.waitPod('slow-start', (p) => !!containerStatus(p)?.state?.running, 'running');
    expect(containerStatus(pending)).toMatchObject({ started: false, ready: false });
    expect((await k.kubectl(['exec', 'slow-start', '--', 'touch', '/tmp/started'])).code).toBe(0);
    const started = await k.waitPod('slow-start', (p) => containerStatus(p)?.started === true && containerStatus(p)?.ready === true, 'started and ready');
    expect(containerStatus(started)?.restartCount).toBe(0);
    await k.deletePod('slow-start');
  }, 240_000);

  it('a kubelet restart keeps a Ready pod Ready: readiness is kept until the new prober has a result', async () => {
    await k.apply(
      pod(
        'stays-ready',
        'touch /tmp/ready; exec sleep 3600',
        `    readinessProbe:
      exec: { command: ["test", "-f", "/tmp/ready"] }
      # A long period: right after a restart the first probe comes up to one period later.
      periodSeconds: 8
`,
      ),
    );
    const ready = await k.waitPod('stays-ready', (p) => readyCondition(p) === 'True', 'Ready');
    const id = containerStatus(ready)?.containerID;
    await k.restartKubelet();
    // Every status seen while the new kubelet adopts the pod and probes it again is Ready.
    const seen: string[] = [];
    await k.waitUntil('the restarted kubelet to sync the pod and probe it', async () => {
      const p = (await k.getPod('stays-ready'))!;
      seen.push(`${readyCondition(p)}/${containerStatus(p)?.ready}`);
      return seen.length >= 24 && /"msg":"pod synced".*default\/stays-ready|default\/stays-ready.*"msg":"pod synced"/.test(k.kubeletOutput());
    });
    expect(new Set(seen)).toEqual(new Set(['True/true']));
    expect(containerStatus((await k.getPod('stays-ready'))!)).toMatchObject({ containerID: id, restartCount: 0 });
    await k.deletePod('stays-ready');
  }, 240_000);

  it('httpGet and tcpSocket probes against busybox httpd: 200 is ready, 404 is not', async () => {
    await k.apply(
      pod(
        'web-ok',
        HTTPD,
        `    ports: [{ name: http, containerPort: 80 }]
    readinessProbe:
      httpGet: { path: /index.html, port: http, httpHeaders: [{ name: X-Probe, value: k8ts }] }
      periodSeconds: 1
    livenessProbe:
      tcpSocket: { port: 80 }
      periodSeconds: 1
`,
      ),
    );
    await k.apply(
      pod(
        'web-404',
        HTTPD,
        `    readinessProbe:
      httpGet: { path: /missing, port: 80 }
      periodSeconds: 1
`,
      ),
    );
    const ok = await k.waitPod('web-ok', (p) => readyCondition(p) === 'True', 'Ready');
    expect(containerStatus(ok)?.restartCount).toBe(0);
    await k.waitUntil('the 404 probe to be reported', async () => (await k.events('web-404')).some((e) => e.reason === 'Unhealthy' && e.message === 'Readiness probe failed: HTTP probe failed with statuscode: 404'));
    const bad = (await k.getPod('web-404'))!;
    expect(containerStatus(bad)).toMatchObject({ ready: false, restartCount: 0, state: { running: {} } });
    expect(readyCondition(bad)).toBe('False');
    await Promise.all([k.deletePod('web-ok'), k.deletePod('web-404')]);
  }, 240_000);
});
