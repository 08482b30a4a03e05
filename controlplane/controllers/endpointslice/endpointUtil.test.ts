import { describe, expect, it } from 'vitest';
import type { Pod, ServicePort } from 'kubernetes-types/core/v1.js';
import { findPort, servicesToUpdateOnPodChange, shouldPodBeInEndpoints } from './endpointUtil.ts';
import { testPod, testService } from './testFixtures.ts';

describe('findPort', () => {
  const pod = testPod('a', {
    containers: [
      { name: 'web', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }] },
    ],
  });
  pod.spec!.initContainers = [
    { name: 'proxy', restartPolicy: 'Always', ports: [{ name: 'metrics', containerPort: 9090 }] },
    { name: 'setup', ports: [{ name: 'setup-port', containerPort: 7070 }] },
  ];
  const cases: [string, ServicePort, number | undefined][] = [
    ['a numeric targetPort is used as is, even if no container declares it', { port: 80, targetPort: 8081 }, 8081],
    ['a missing targetPort means the Service port', { port: 80 }, 80],
    ['a named targetPort resolves to the container port of that name', { port: 80, targetPort: 'http' }, 8080],
    ['the protocol must match too', { port: 53, targetPort: 'dns', protocol: 'TCP' }, undefined],
    ['a UDP port by name', { port: 53, targetPort: 'dns', protocol: 'UDP' }, 5353],
    ['a sidecar (restartPolicy Always init container) port resolves', { port: 90, targetPort: 'metrics' }, 9090],
    ['a plain init container port does not', { port: 70, targetPort: 'setup-port' }, undefined],
    ['an unknown name resolves to nothing', { port: 80, targetPort: 'https' }, undefined],
  ];
  it.each(cases)('%s', (_name, sp, want) => expect(findPort(pod, sp)).toBe(want));
});

describe('shouldPodBeInEndpoints', () => {
  const cases: [string, Pod, boolean, boolean][] = [
    ['a running pod with an IP', testPod('a', { ip: '10.244.1.5' }), false, true],
    ['a not-ready pod with an IP is still an endpoint (not ready)', testPod('a', { ip: '10.244.1.5', ready: false }), false, true],
    ['a pod without an IP is not', testPod('a'), false, false],
    ['a succeeded pod is not', testPod('a', { ip: '10.244.1.5', phase: 'Succeeded' }), true, false],
    ['a failed pod is not', testPod('a', { ip: '10.244.1.5', phase: 'Failed' }), true, false],
    ['a pod being deleted is not, unless terminating pods are included', testPod('a', { ip: '10.244.1.5', deleting: true }), false, false],
    ['a pod being deleted is, when terminating pods are included', testPod('a', { ip: '10.244.1.5', deleting: true }), true, true],
  ];
  it.each(cases)('%s', (_name, pod, includeTerminating, want) => expect(shouldPodBeInEndpoints(pod, includeTerminating)).toBe(want));
});

describe('servicesToUpdateOnPodChange', () => {
  const web = testService({ name: 'web', selector: { app: 'nginx' } });
  const db = testService({ name: 'db', selector: { app: 'db' } });
  const services = [web, db];
  const base = testPod('a', { ip: '10.244.1.5' });
  const next = (change: (p: Pod) => void) => {
    const p: Pod = { ...structuredClone(base), metadata: { ...base.metadata, resourceVersion: '2' } };
    change(p);
    return p;
  };
  const cases: [string, Pod, string[]][] = [
    ['a resync (same resourceVersion) concerns nobody', structuredClone(base), []],
    ['an annotation change concerns nobody', next((p) => (p.metadata!.annotations = { a: 'b' })), []],
    ['a readiness change concerns the Services that select the pod', next((p) => (p.status!.conditions![0]!.status = 'False')), ['default/web']],
    ['an IP change too', next((p) => (p.status!.podIPs = [{ ip: '10.244.1.9' }])), ['default/web']],
    ['a label change concerns the Service left and the Service joined', next((p) => (p.metadata!.labels = { app: 'db' })), ['default/db', 'default/web']],
    ['a label change that keeps the membership concerns nobody', next((p) => (p.metadata!.labels = { app: 'nginx', tier: 'front' })), []],
    ['deletion starting concerns the pod\'s Services', next((p) => Object.assign(p.metadata!, { deletionTimestamp: '2024-01-01T00:02:00Z' })), ['default/web']],
  ];
  it.each(cases)('%s', (_name, cur, want) => expect([...servicesToUpdateOnPodChange(services, base, cur)].sort()).toEqual(want));

  it('Services without a selector never select pods', () => {
    const manual = testService({ name: 'manual', selector: null });
    expect([...servicesToUpdateOnPodChange([manual], base, next((p) => (p.status!.podIPs = [{ ip: '10.244.1.9' }])))]).toEqual([]);
  });
});
