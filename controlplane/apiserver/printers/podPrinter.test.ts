import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { podPrinter } from './podPrinter.ts';

const now = new Date('2024-06-01T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

const running = (name: string, extra: Partial<ContainerStatus> = {}): ContainerStatus => ({
  name,
  image: 'nginx:1.22.1',
  imageID: '',
  ready: true,
  restartCount: 0,
  started: true,
  state: { running: { startedAt: ago(600) } },
  ...extra,
});
const waiting = (name: string, reason: string, extra: Partial<ContainerStatus> = {}): ContainerStatus => ({
  name,
  image: 'nginx:1.22.1',
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { waiting: { reason } },
  ...extra,
});
const terminated = (name: string, t: { exitCode: number; reason?: string; signal?: number }): ContainerStatus => ({
  name,
  image: 'busybox',
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { terminated: t },
});

function pod(p: { containers?: string[]; init?: { name: string; sidecar?: boolean }[]; status?: Pod['status']; deleting?: boolean; gates?: string[] }): Pod {
  return {
    metadata: {
      name: 'web-0',
      namespace: 'default',
      creationTimestamp: ago(3 * 3600 + 1800),
      ...(p.deleting ? { deletionTimestamp: ago(5) } : {}),
    },
    spec: {
      containers: (p.containers ?? ['nginx']).map((name) => ({ name, image: 'nginx:1.22.1' })),
      initContainers: p.init?.map((c) => ({ name: c.name, image: 'busybox', ...(c.sidecar ? { restartPolicy: 'Always' } : {}) })),
      nodeName: 'worker-0',
      readinessGates: p.gates?.map((conditionType) => ({ conditionType })),
    },
    status: p.status ?? {},
  };
}

/** READY, STATUS, RESTARTS of the printed row. */
const summary = (p: Pod) => podPrinter.print(p, now).cells.slice(1, 4);

describe('podPrinter READY, STATUS, RESTARTS', () => {
  const initialized = { type: 'Initialized', status: 'True' };
  it.each<[string, Pod, (string | number)[]]>([
    ['a running ready pod', pod({ status: { phase: 'Running', containerStatuses: [running('nginx')] } }), ['1/1', 'Running', '0']],
    [
      'one of two containers ready',
      pod({ containers: ['a', 'b'], status: { phase: 'Running', containerStatuses: [running('a'), running('b', { ready: false })] } }),
      ['1/2', 'Running', '0'],
    ],
    ['an unscheduled pod shows its phase', pod({ status: { phase: 'Pending' } }), ['0/1', 'Pending', '0']],
    [
      'a waiting reason replaces the phase',
      pod({ status: { phase: 'Pending', containerStatuses: [waiting('nginx', 'ContainerCreating')] } }),
      ['0/1', 'ContainerCreating', '0'],
    ],
    [
      'CrashLoopBackOff with the age of the last restart',
      pod({
        status: {
          phase: 'Running',
          containerStatuses: [
            waiting('nginx', 'CrashLoopBackOff', {
              restartCount: 5,
              lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(125) } },
            }),
          ],
        },
      }),
      ['0/1', 'CrashLoopBackOff', '5 (2m5s ago)'],
    ],
    [
      'restarts without a recorded termination time show only the count',
      pod({ status: { phase: 'Running', containerStatuses: [running('nginx', { restartCount: 2 })] } }),
      ['1/1', 'Running', '2'],
    ],
    [
      'a finished pod shows the terminated reason',
      pod({ status: { phase: 'Succeeded', containerStatuses: [terminated('nginx', { exitCode: 0, reason: 'Completed' })] } }),
      ['0/1', 'Completed', '0'],
    ],
    [
      'Completed turns back to Running while another container runs and the pod is Ready',
      pod({
        containers: ['a', 'b'],
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [terminated('a', { exitCode: 0, reason: 'Completed' }), running('b')],
        },
      }),
      ['1/2', 'Running', '0'],
    ],
    [
      'Completed turns to NotReady while another container runs and the pod is not Ready',
      pod({
        containers: ['a', 'b'],
        status: { phase: 'Running', containerStatuses: [terminated('a', { exitCode: 0, reason: 'Completed' }), running('b')] },
      }),
      ['1/2', 'NotReady', '0'],
    ],
    [
      'the first container listed decides between two states',
      pod({ containers: ['a', 'b'], status: { phase: 'Running', containerStatuses: [waiting('a', 'ImagePullBackOff'), waiting('b', 'ErrImagePull')] } }),
      ['0/2', 'ImagePullBackOff', '0'],
    ],
    [
      'a termination without reason shows the exit code',
      pod({ status: { phase: 'Failed', containerStatuses: [terminated('nginx', { exitCode: 2 })] } }),
      ['0/1', 'ExitCode:2', '0'],
    ],
    [
      'a termination by signal shows the signal',
      pod({ status: { phase: 'Failed', containerStatuses: [terminated('nginx', { exitCode: 137, signal: 9 })] } }),
      ['0/1', 'Signal:9', '0'],
    ],
    [
      'the pod reason replaces the phase (Evicted)',
      pod({ status: { phase: 'Failed', reason: 'Evicted' } }),
      ['0/1', 'Evicted', '0'],
    ],
    [
      'a gated pod shows SchedulingGated',
      pod({ status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] } }),
      ['0/1', 'SchedulingGated', '0'],
    ],
  ])('%s', (_name, p, want) => {
    expect(summary(p)).toEqual(want);
  });

  it.each<[string, Pod, (string | number)[]]>([
    [
      'the first init container running shows Init:0/N',
      pod({ init: [{ name: 'i1' }, { name: 'i2' }], status: { phase: 'Pending', initContainerStatuses: [running('i1', { ready: false }), waiting('i2', 'PodInitializing')], containerStatuses: [waiting('nginx', 'PodInitializing')] } }),
      ['0/1', 'Init:0/2', '0'],
    ],
    [
      'a finished init container moves the count on',
      pod({
        init: [{ name: 'i1' }, { name: 'i2' }],
        status: { phase: 'Pending', initContainerStatuses: [terminated('i1', { exitCode: 0, reason: 'Completed' }), running('i2', { ready: false })] },
      }),
      ['0/1', 'Init:1/2', '0'],
    ],
    [
      'an init container in back-off shows Init:<reason> and counts its restarts',
      pod({
        init: [{ name: 'i1' }],
        status: {
          phase: 'Pending',
          initContainerStatuses: [
            waiting('i1', 'CrashLoopBackOff', { restartCount: 3, lastState: { terminated: { exitCode: 1, finishedAt: ago(30) } } }),
          ],
          containerStatuses: [waiting('nginx', 'PodInitializing')],
        },
      }),
      ['0/1', 'Init:CrashLoopBackOff', '3 (30s ago)'],
    ],
    [
      'a failed init container shows Init:<terminated reason>',
      pod({ init: [{ name: 'i1' }], status: { phase: 'Failed', initContainerStatuses: [terminated('i1', { exitCode: 1, reason: 'Error' })] } }),
      ['0/1', 'Init:Error', '0'],
    ],
    [
      'a failed init container without reason shows its exit code',
      pod({ init: [{ name: 'i1' }], status: { phase: 'Pending', initContainerStatuses: [terminated('i1', { exitCode: 3 })] } }),
      ['0/1', 'Init:ExitCode:3', '0'],
    ],
    [
      'a signalled init container shows the signal',
      pod({ init: [{ name: 'i1' }], status: { phase: 'Pending', initContainerStatuses: [terminated('i1', { exitCode: 137, signal: 9 })] } }),
      ['0/1', 'Init:Signal:9', '0'],
    ],
    [
      'after init, containers waiting to start show PodInitializing',
      pod({
        init: [{ name: 'i1' }],
        status: {
          phase: 'Pending',
          conditions: [initialized],
          initContainerStatuses: [terminated('i1', { exitCode: 0, reason: 'Completed' })],
          containerStatuses: [waiting('nginx', 'PodInitializing')],
        },
      }),
      ['0/1', 'PodInitializing', '0'],
    ],
    [
      'a started sidecar counts as a ready container',
      pod({
        init: [{ name: 'proxy', sidecar: true }],
        status: {
          phase: 'Running',
          conditions: [initialized],
          initContainerStatuses: [running('proxy', { restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(3600) } } })],
          containerStatuses: [running('nginx')],
        },
      }),
      ['2/2', 'Running', '1 (60m ago)'],
    ],
  ])('%s', (_name, p, want) => {
    expect(summary(p)).toEqual(want);
  });

  it.each<[string, Pod, string]>([
    ['a deleted running pod is Terminating', pod({ deleting: true, status: { phase: 'Running', containerStatuses: [running('nginx')] } }), 'Terminating'],
    [
      'a deleted pod that already finished keeps its status',
      pod({ deleting: true, status: { phase: 'Succeeded', containerStatuses: [terminated('nginx', { exitCode: 0, reason: 'Completed' })] } }),
      'Completed',
    ],
    ['a deleted pod on a lost node is Unknown', pod({ deleting: true, status: { phase: 'Running', reason: 'NodeLost' } }), 'Unknown'],
  ])('%s', (_name, p, want) => {
    expect(summary(p)[1]).toBe(want);
  });
});

describe('podPrinter row', () => {
  it('prints the age and the wide cells: IP, node, nominated node, readiness gates', () => {
    const p = pod({
      gates: ['example.com/lb', 'example.com/dns'],
      status: {
        phase: 'Running',
        podIP: '10.244.1.9',
        podIPs: [{ ip: '10.244.1.5' }],
        conditions: [{ type: 'example.com/lb', status: 'True' }, { type: 'example.com/dns', status: 'False' }],
        containerStatuses: [running('nginx')],
      },
    });
    expect(podPrinter.print(p, now).cells).toEqual(['web-0', '1/1', 'Running', '0', '3h30m', '10.244.1.5', 'worker-0', '<none>', '1/2']);
  });

  it('falls back to podIP and prints <none> for what is unset', () => {
    const p = pod({ status: { phase: 'Pending', podIP: '10.244.2.3', nominatedNodeName: 'worker-1' } });
    p.spec!.nodeName = undefined;
    expect(podPrinter.print(p, now).cells.slice(5)).toEqual(['10.244.2.3', '<none>', 'worker-1', '<none>']);
    p.status!.podIP = undefined;
    expect(podPrinter.print(p, now).cells[5]).toBe('<none>');
  });

  it('marks finished pods with a Completed row condition', () => {
    expect(podPrinter.print(pod({ status: { phase: 'Succeeded' } }), now).conditions).toEqual([
      { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
    ]);
    expect(podPrinter.print(pod({ status: { phase: 'Failed' } }), now).conditions?.[0].reason).toBe('Failed');
    expect(podPrinter.print(pod({ status: { phase: 'Running' } }), now).conditions).toBeUndefined();
  });

  it('defines the nine upstream columns, four of them wide', () => {
    expect(podPrinter.columns.map((c) => [c.name, c.type, c.priority])).toEqual([
      ['Name', 'string', 0],
      ['Ready', 'string', 0],
      ['Status', 'string', 0],
      ['Restarts', 'string', 0],
      ['Age', 'string', 0],
      ['IP', 'string', 1],
      ['Node', 'string', 1],
      ['Nominated Node', 'string', 1],
      ['Readiness Gates', 'string', 1],
    ]);
    expect(podPrinter.columns[0].format).toBe('name');
  });
});
