// Container lifecycle hooks end to end (root only), checked through the real kubectl: postStart
// runs right after the container starts and a failing one kills the container (the restart
// policy decides what follows); preStop runs before the stop signal, within the grace period.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { BUSYBOX_IMAGE } from '../runtime/testing/criTestNode.ts';
import { busyboxPod, startKubectlNode, type KubectlNode } from '../testing/kubectlNode.ts';

const isRoot = process.getuid?.() === 0;

const running = (p: Pod) => !!p.status?.containerStatuses?.length && p.status.containerStatuses.every((c) => !!c.state?.running);

/** A busybox container serving CGI on :8080 whose /cgi-bin/hook appends the request to /out/marker. */
const HTTPD_SETUP = [
  'mkdir -p /www/cgi-bin',
  "echo '#!/bin/sh' > /www/cgi-bin/hook",
  `echo 'echo "$REQUEST_METHOD $REQUEST_URI $HTTP_USER_AGENT" >> /out/marker' >> /www/cgi-bin/hook`,
  "echo 'echo Content-Type: text/plain; echo; echo ok' >> /www/cgi-bin/hook",
  'chmod +x /www/cgi-bin/hook',
  'httpd -p 8080 -h /www',
].join('; ');

describe.skipIf(!isRoot)('lifecycle hooks through kubectl', () => {
  let k: KubectlNode;

  beforeAll(async () => {
    k = await startKubectlNode('khook');
  }, 600_000);

  afterAll(async () => {
    await k?.stop();
  }, 120_000);

  const eventLines = async (name: string) => (await k.events(name)).map((e) => `${e.type} ${e.reason}: ${e.message}`);

  it('postStart exec runs right after the container starts: the app sees what the hook wrote', async () => {
    await k.apply(busyboxPod('poststart', 'while [ ! -f /tmp/hooked ]; do sleep 0.1; done; echo "app saw: $(cat /tmp/hooked)"; exec sleep 3600', {
      extra: `    lifecycle:
      postStart:
        exec:
          command: ["sh", "-c", "echo written-by-postStart > /tmp/hooked"]
`,
    }));
    await k.waitPod('poststart', running, 'running');
    await k.waitUntil("the app's log", async () => (await k.kubectl(['logs', 'poststart'])).stdout === 'app saw: written-by-postStart\n');
    const events = await eventLines('poststart');
    expect(events.some((e) => e.includes('FailedPostStartHook'))).toBe(false);
    await k.deletePod('poststart');
  }, 240_000);

  it('a failing postStart exec kills the container: FailedPostStartHook, and with restartPolicy Never the pod fails', async () => {
    await k.apply(busyboxPod('poststart-fails', 'exec sleep 3600', {
      restartPolicy: 'Never',
      extra: `    lifecycle:
      postStart:
        exec:
          command: ["sh", "-c", "echo hook-output; exit 3"]
`,
    }));
    const pod = await k.waitPod('poststart-fails', (p) => p.status?.phase === 'Failed', 'Failed');
    const state = pod.status!.containerStatuses![0].state!;
    expect(state.terminated?.exitCode).not.toBe(0);
    expect(pod.status!.containerStatuses![0].restartCount).toBe(0);
    await k.waitUntil('the hook events', async () => (await eventLines('poststart-fails')).some((e) => e.includes('Killing')));
    const events = await eventLines('poststart-fails');
    expect(events).toContain('Warning FailedPostStartHook: PostStartHook failed');
    expect(events).toContain('Normal Killing: FailedPostStartHook');
    // The handler's output stays out of events (it may hold secrets).
    expect(events.join('\n')).not.toContain('hook-output');
    await k.deletePod('poststart-fails');
  }, 240_000);

  it('a postStart httpGet nobody answers fails the hook; with restartPolicy Always the container is started again', async () => {
    await k.apply(busyboxPod('poststart-http', 'exec sleep 3600', {
      extra: `    lifecycle:
      postStart:
        httpGet:
          path: /started
          port: 9
`,
    }));
    const pod = await k.waitPod('poststart-http', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 'restarted after the failed hook');
    expect(pod.status?.phase).toBe('Running');
    expect(pod.status!.containerStatuses![0].lastState?.terminated).toBeDefined();
    const events = await eventLines('poststart-http');
    expect(events).toContain('Warning FailedPostStartHook: PostStartHook failed');
    expect(events).toContain('Normal Killing: FailedPostStartHook');
    // What kubectl shows while it waits: the hook's error or the crash-loop back-off.
    await k.waitUntil('PostStartHookError or CrashLoopBackOff in kubectl get pod', async () => /^poststart-http\s+0\/1\s+(PostStartHookError|CrashLoopBackOff)\s+/.test((await k.kubectl(['get', 'pod', 'poststart-http', '--no-headers'])).stdout));
    await k.deletePod('poststart-http');
  }, 240_000);

  it('a pod deleted while its postStart hook still runs is not held back by the hook', async () => {
    await k.apply(busyboxPod('slow-hooks', 'exec sleep 3600', {
      extra: `    lifecycle:
      postStart:
        sleep:
          seconds: 3600
`,
    }));
    // The container started; its postStart runs on (an hour).
    await k.waitUntil('the Started event', async () => (await k.events('slow-hooks')).some((e) => e.reason === 'Started'));
    // Deletion stops the hook and the pod goes (the poll gives up long before the hour).
    await k.deletePod('slow-hooks');
    const events = (await k.events('slow-hooks')).map((e) => `${e.type} ${e.reason}: ${e.message}`);
    expect(events).toContain('Warning FailedPostStartHook: PostStartHook failed');
  }, 240_000);

  it('preStop exec and httpGet run before the stop signal; a failing preStop is reported and the container still stops', async () => {
    const dirs = { exec: join(k.node.dir, 'prestop-exec'), http: join(k.node.dir, 'prestop-http') };
    const trapTerm = "trap 'echo got-TERM >> /out/marker; exit 0' TERM; echo started >> /out/marker; while true; do sleep 0.2; done";
    await k.apply(`
apiVersion: v1
kind: Pod
metadata:
  name: prestop
spec:
  terminationGracePeriodSeconds: 20
  containers:
  - name: exec
    image: ${BUSYBOX_IMAGE}
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", ${JSON.stringify(trapTerm)}]
    lifecycle:
      preStop:
        exec:
          command: ["sh", "-c", "echo preStop-exec >> /out/marker; sleep 1"]
    volumeMounts: [{ name: exec-out, mountPath: /out }]
  - name: http
    image: ${BUSYBOX_IMAGE}
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", ${JSON.stringify(`${HTTPD_SETUP}; ${trapTerm}`)}]
    lifecycle:
      preStop:
        httpGet:
          path: /cgi-bin/hook?stage=preStop
          port: 8080
    volumeMounts: [{ name: http-out, mountPath: /out }]
  - name: failing
    image: ${BUSYBOX_IMAGE}
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
    lifecycle:
      preStop:
        exec:
          command: ["sh", "-c", "exit 7"]
  volumes:
  - name: exec-out
    hostPath: { path: ${dirs.exec}, type: DirectoryOrCreate }
  - name: http-out
    hostPath: { path: ${dirs.http}, type: DirectoryOrCreate }
`);
    await k.waitPod('prestop', running, 'all containers running');
    await k.waitUntil('both containers to start their loops', () => existsSync(join(dirs.exec, 'marker')) && existsSync(join(dirs.http, 'marker')));
    await k.deletePod('prestop');
    expect(readFileSync(join(dirs.exec, 'marker'), 'utf8')).toBe('started\npreStop-exec\ngot-TERM\n');
    expect(readFileSync(join(dirs.http, 'marker'), 'utf8')).toBe('started\nGET /cgi-bin/hook?stage=preStop kube-lifecycle/1.32\ngot-TERM\n');
    const events = await eventLines('prestop');
    expect(events).toContain('Warning FailedPreStopHook: PreStopHook failed');
    expect(events.filter((e) => e === 'Warning FailedPreStopHook: PreStopHook failed')).toHaveLength(1);
  }, 240_000);
});
