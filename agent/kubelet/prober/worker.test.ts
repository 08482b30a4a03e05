// The probe worker's verdict logic, step by step with an injected clock and a scripted prober:
// initial values, thresholds, initialDelaySeconds, startup gating, restarts and termination.
import type { PodStatus, Probe } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.ts';
import type { ProbeVerdict } from './prober.ts';
import { ResultsManager, type ProbeResult } from './results/resultsManager.ts';
import { POD_UID, probe, T0, testPod, testStatus } from './testing/fixtures.ts';
import type { ProbeKind } from './types.ts';
import { ProbeWorker } from './worker.ts';

interface Step {
  /** Seconds after the container started (T0); default: where the previous step left the clock. */
  at?: number;
  /** The pod status the worker reads; default: container c1 running since T0. null: no status. */
  status?: PodStatus | null;
  /** What the probe answers if it runs. */
  answer?: ProbeVerdict['result'] | ProbeVerdict;
  want: { keepGoing?: boolean; result?: ProbeResult | 'none'; probed?: boolean; resultOf?: { id: string; result: ProbeResult | 'none' } };
}

interface Case {
  name: string;
  kind: ProbeKind;
  spec?: Partial<Probe>;
  restartPolicy?: string;
  deleting?: boolean;
  /** Whether the container counts as started (the startup probe's verdict). */
  started?: boolean;
  steps: Step[];
}

const fail3: Step = { answer: 'Failure', want: { result: 'Success', probed: true } };

const cases: Case[] = [
  {
    name: 'readiness starts as Failure until a probe succeeds',
    kind: 'readiness',
    spec: { initialDelaySeconds: 10 },
    steps: [
      { at: 1, want: { result: 'Failure', probed: false, keepGoing: true } },
      { at: 10, answer: 'Success', want: { result: 'Success', probed: true } },
    ],
  },
  {
    name: 'liveness starts as Success',
    kind: 'liveness',
    spec: { initialDelaySeconds: 10 },
    steps: [{ at: 1, want: { result: 'Success', probed: false } }],
  },
  {
    name: 'startup starts as Unknown',
    kind: 'startup',
    started: false,
    spec: { initialDelaySeconds: 10 },
    steps: [{ at: 1, want: { result: 'Unknown', probed: false } }],
  },
  {
    name: 'liveness fails only after failureThreshold failures in a row',
    kind: 'liveness',
    spec: { failureThreshold: 3 },
    steps: [
      fail3,
      fail3,
      { answer: 'Success', want: { result: 'Success', probed: true } },
      fail3,
      fail3,
      { answer: 'Failure', want: { result: 'Failure', probed: true, keepGoing: true } },
      // On hold until the container is replaced: no exec into a container being killed.
      { answer: 'Success', want: { result: 'Failure', probed: false } },
    ],
  },
  {
    name: 'readiness needs successThreshold successes in a row and flips back after failures',
    kind: 'readiness',
    spec: { successThreshold: 2, failureThreshold: 2 },
    steps: [
      { answer: 'Success', want: { result: 'Failure', probed: true } },
      { answer: 'Success', want: { result: 'Success', probed: true } },
      { answer: 'Failure', want: { result: 'Success', probed: true } },
      { answer: 'Failure', want: { result: 'Failure', probed: true } },
      // Readiness keeps probing after a failure (no hold): it may become ready again.
      { answer: 'Success', want: { result: 'Failure', probed: true } },
      { answer: 'Success', want: { result: 'Success', probed: true } },
    ],
  },
  {
    name: 'no probe before initialDelaySeconds have passed since the container started',
    kind: 'readiness',
    spec: { initialDelaySeconds: 5 },
    steps: [
      { at: 0, answer: 'Success', want: { probed: false, result: 'Failure' } },
      { at: 4.9, answer: 'Success', want: { probed: false, result: 'Failure' } },
      { at: 5, answer: 'Success', want: { probed: true, result: 'Success' } },
    ],
  },
  {
    name: 'readiness and liveness wait for the startup probe',
    kind: 'readiness',
    started: false,
    steps: [{ answer: 'Success', want: { probed: false, result: 'Failure' } }],
  },
  {
    name: 'the startup probe stops probing once the container started',
    kind: 'startup',
    started: true,
    steps: [{ answer: 'Failure', want: { probed: false, result: 'Unknown' } }],
  },
  {
    name: 'a failed startup probe holds like liveness',
    kind: 'startup',
    started: false,
    spec: { failureThreshold: 1 },
    steps: [
      { answer: 'Failure', want: { probed: true, result: 'Failure' } },
      { answer: 'Success', want: { probed: false, result: 'Failure' } },
    ],
  },
  {
    name: 'a new container id starts over from the initial value and resumes probing',
    kind: 'liveness',
    spec: { failureThreshold: 2 },
    steps: [
      fail3,
      { answer: 'Failure', want: { result: 'Failure', probed: true } },
      {
        status: testStatus('c2'),
        answer: 'Failure',
        // The old streak does not carry over: one failure of the new container is not two.
        want: { probed: true, result: 'Success', resultOf: { id: 'c1', result: 'none' } },
      },
    ],
  },
  {
    name: 'a container that is not running reads as Failure; the worker waits for a restart',
    kind: 'liveness',
    steps: [{ status: testStatus('c1', 'exited'), want: { probed: false, result: 'Failure', keepGoing: true } }],
  },
  {
    name: 'an exited container under restartPolicy Never ends the worker',
    kind: 'readiness',
    restartPolicy: 'Never',
    steps: [{ status: testStatus('c1', 'exited'), want: { probed: false, result: 'Failure', keepGoing: false } }],
  },
  {
    name: 'a finished pod ends the worker',
    kind: 'readiness',
    steps: [{ status: testStatus('c1', 'running', { phase: 'Succeeded' }), want: { probed: false, result: 'none', keepGoing: false } }],
  },
  {
    name: 'no status or no container id yet: wait, record nothing',
    kind: 'readiness',
    steps: [
      { status: null, want: { probed: false, result: 'none', keepGoing: true } },
      { status: testStatus(''), want: { probed: false, result: 'none', keepGoing: true } },
    ],
  },
  {
    name: 'a pod being deleted stops liveness quietly with Success',
    kind: 'liveness',
    deleting: true,
    steps: [{ answer: 'Failure', want: { probed: false, result: 'Success', keepGoing: false } }],
  },
  {
    name: 'a pod being deleted keeps its readiness probe',
    kind: 'readiness',
    deleting: true,
    steps: [{ answer: 'Success', want: { probed: true, result: 'Success', keepGoing: true } }],
  },
  {
    name: 'a probe that errored leaves the verdict alone',
    kind: 'readiness',
    spec: { failureThreshold: 1 },
    steps: [
      { answer: 'Success', want: { probed: true, result: 'Success' } },
      { answer: { result: 'Failure', error: 'port http not found' }, want: { probed: true, result: 'Success', keepGoing: true } },
    ],
  },
];

describe('probe worker', () => {
  for (const tc of cases) {
    it(tc.name, async () => {
      const clock = new FakeClock(T0);
      const results = new ResultsManager();
      let answer: ProbeVerdict = { result: 'Success' };
      let probes = 0;
      let status: PodStatus | undefined;
      const container = { name: 'app', image: 'nginx', [`${tc.kind}Probe`]: probe(tc.spec) };
      const worker = new ProbeWorker(testPod(container, { restartPolicy: tc.restartPolicy, deleting: tc.deleting }), container, tc.kind, {
        clock,
        prober: {
          probe: async () => {
            probes++;
            return answer;
          },
        },
        getPodStatus: (uid) => (uid === POD_UID ? status : undefined),
        results,
        containerStarted: () => tc.started ?? true,
        startedAt: T0,
        random: () => 0,
        onExit: () => {},
      });
      for (const [i, step] of tc.steps.entries()) {
        if (step.at !== undefined) clock.step(T0.getTime() + step.at * 1000 - clock.now().getTime());
        status = step.status === null ? undefined : (step.status ?? status ?? testStatus());
        if (step.answer) answer = typeof step.answer === 'string' ? { result: step.answer } : step.answer;
        const before = probes;
        const keepGoing = await worker.doProbe();
        const where = `step ${i}`;
        if (step.want.keepGoing !== undefined) expect(keepGoing, where).toBe(step.want.keepGoing);
        if (step.want.probed !== undefined) expect(probes > before, where).toBe(step.want.probed);
        const id = status?.containerStatuses?.[0]?.containerID?.replace('containerd://', '') ?? '';
        if (step.want.result !== undefined) expect(results.get(id) ?? 'none', where).toBe(step.want.result);
        if (step.want.resultOf) expect(results.get(step.want.resultOf.id) ?? 'none', where).toBe(step.want.resultOf.result);
      }
    });
  }
});
