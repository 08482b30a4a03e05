// Pods, statuses and a scripted prober for the prober's tests.
import type { Container, Pod, PodStatus, Probe } from 'kubernetes-types/core/v1.js';
import type { ProbeVerdict } from '../prober.ts';
import type { ProbeKind } from '../types.ts';

export const POD_UID = 'uid-1';
export const T0 = new Date('2025-01-01T00:00:00Z');

export function probe(extra: Partial<Probe> = {}): Probe {
  return { exec: { command: ['true'] }, ...extra };
}

export function testPod(container: Partial<Container>, extra: { restartPolicy?: string; deleting?: boolean } = {}): Pod {
  return {
    metadata: { name: 'web', namespace: 'default', uid: POD_UID, ...(extra.deleting ? { deletionTimestamp: T0.toISOString() } : {}) },
    spec: { restartPolicy: extra.restartPolicy ?? 'Always', containers: [{ name: 'app', image: 'nginx', ...container }] },
  };
}

export type ContainerPhase = 'running' | 'exited' | 'waiting';

/** A pod status with container `app` as containerd://<id> in the given state, started at T0. */
export function testStatus(id = 'c1', state: ContainerPhase = 'running', extra: Partial<PodStatus> = {}): PodStatus {
  const cstate =
    state === 'running'
      ? { running: { startedAt: T0.toISOString() } }
      : state === 'exited'
        ? { terminated: { exitCode: 1, reason: 'Error' } }
        : { waiting: { reason: 'ContainerCreating' } };
  return {
    phase: 'Running',
    podIP: '127.0.0.1',
    containerStatuses: [{ name: 'app', image: 'nginx', imageID: '', restartCount: 0, ready: false, containerID: id ? `containerd://${id}` : undefined, state: cstate }],
    ...extra,
  };
}

/** Answers probes from a script (the last answer repeats) and counts calls by kind. */
export class ScriptedProber {
  calls: { kind: ProbeKind; containerId: string }[] = [];
  constructor(public script: ProbeVerdict['result'][] | ProbeVerdict[] = ['Success']) {}

  async probe(kind: ProbeKind, _pod: Pod, _status: PodStatus, _container: Container, containerId: string): Promise<ProbeVerdict> {
    const i = Math.min(this.calls.length, this.script.length - 1);
    this.calls.push({ kind, containerId });
    const step = this.script[i];
    return typeof step === 'string' ? { result: step } : step;
  }

  count(kind?: ProbeKind): number {
    return this.calls.filter((c) => !kind || c.kind === kind).length;
  }
}

/**
 * Bounded polling, no timed assertions: a few turns of the event loop first (enough for a faked
 * probe), then short pauses for real I/O (a probe of a local server), up to about 10 s.
 */
export async function until(cond: () => boolean, what: string, tries = 1000): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (cond()) return;
    await new Promise((r) => (i < 50 ? setImmediate(r) : setTimeout(r, 10)));
  }
  throw new Error(`never happened: ${what}`);
}
