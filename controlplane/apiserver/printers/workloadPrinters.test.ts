import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { describe, expect, it } from 'vitest';
import {
  controllerRevisionPrinter,
  cronJobPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  jobPrinter,
  jobStatus,
  replicaSetPrinter,
  statefulSetPrinter,
} from './workloadPrinters.ts';

const now = new Date('2024-06-01T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();
const meta = (name: string) => ({ name, namespace: 'default', creationTimestamp: ago(2 * 86400 + 4 * 3600) });
const template: PodTemplateSpec = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.22.1' }, { name: 'sidecar', image: 'busybox' }] },
};

describe('deploymentPrinter', () => {
  it('prints READY ready/desired, UP-TO-DATE, AVAILABLE, AGE and the wide cells', () => {
    const d: Deployment = {
      metadata: meta('web'),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    expect(deploymentPrinter.print(d, now).cells).toEqual(['web', '2/3', 3, 2, '2d4h', 'nginx,sidecar', 'nginx:1.22.1,busybox', 'app=web']);
  });
  it('prints a new deployment with no status as 0/1 and an invalid selector as <invalid>', () => {
    const d: Deployment = {
      metadata: meta('web'),
      spec: { selector: { matchExpressions: [{ key: 'app', operator: 'Near' }] }, template },
    };
    expect(deploymentPrinter.print(d, now).cells.slice(1, 4)).toEqual(['0/1', 0, 0]);
    expect(deploymentPrinter.print(d, now).cells[7]).toBe('<invalid>');
  });
  it('has the upstream columns', () => {
    expect(deploymentPrinter.columns.map((c) => `${c.name}:${c.priority}`)).toEqual([
      'Name:0', 'Ready:0', 'Up-to-date:0', 'Available:0', 'Age:0', 'Containers:1', 'Images:1', 'Selector:1',
    ]);
  });
});

describe('replicaSetPrinter', () => {
  it('prints DESIRED, CURRENT, READY as integers', () => {
    const rs: ReplicaSet = {
      metadata: meta('web-5d4f8'),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d4f8' } }, template },
      status: { replicas: 3, readyReplicas: 1 },
    };
    expect(replicaSetPrinter.print(rs, now).cells).toEqual([
      'web-5d4f8', 3, 3, 1, '2d4h', 'nginx,sidecar', 'nginx:1.22.1,busybox', 'app=web,pod-template-hash=5d4f8',
    ]);
  });
});

describe('daemonSetPrinter', () => {
  it('prints the scheduling counts and NODE SELECTOR', () => {
    const ds: DaemonSet = {
      metadata: meta('proxy'),
      spec: { selector: { matchLabels: { app: 'proxy' } }, template: { ...template, spec: { ...template.spec!, nodeSelector: { 'kubernetes.io/os': 'linux' } } } },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2, numberMisscheduled: 0 },
    };
    expect(daemonSetPrinter.print(ds, now).cells).toEqual([
      'proxy', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '2d4h', 'nginx,sidecar', 'nginx:1.22.1,busybox', 'app=proxy',
    ]);
  });
  it('prints <none> for no node selector', () => {
    const ds: DaemonSet = { metadata: meta('proxy'), spec: { selector: {}, template } };
    expect(daemonSetPrinter.print(ds, now).cells.slice(1, 7)).toEqual([0, 0, 0, 0, 0, '<none>']);
    expect(daemonSetPrinter.print(ds, now).cells[10]).toBe('<none>');
  });
});

describe('statefulSetPrinter', () => {
  it('prints READY ready/desired', () => {
    const sts: StatefulSet = {
      metadata: meta('mysql'),
      spec: { replicas: 2, serviceName: 'mysql', selector: { matchLabels: { app: 'mysql' } }, template },
      status: { replicas: 2, readyReplicas: 1 },
    };
    expect(statefulSetPrinter.print(sts, now).cells).toEqual(['mysql', '1/2', '2d4h', 'nginx,sidecar', 'nginx:1.22.1,busybox']);
  });
});

describe('jobPrinter', () => {
  const job = (spec: Partial<Job['spec']>, status: Job['status'] = {}, deleting = false): Job => ({
    metadata: { ...meta('pi'), ...(deleting ? { deletionTimestamp: ago(1) } : {}) },
    spec: { template, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc' } }, ...spec },
    status,
  });

  it('prints a running job: completions, duration so far', () => {
    expect(jobPrinter.print(job({ completions: 3 }, { succeeded: 1, startTime: ago(95) }), now).cells).toEqual([
      'pi', 'Running', '1/3', '95s', '2d4h', 'nginx,sidecar', 'nginx:1.22.1,busybox', 'batch.kubernetes.io/controller-uid=abc',
    ]);
  });
  it('measures a finished job from start to completion', () => {
    const j = job({ completions: 1 }, { succeeded: 1, startTime: ago(600), completionTime: ago(400), conditions: [{ type: 'Complete', status: 'True' }] });
    expect(jobPrinter.print(j, now).cells.slice(1, 4)).toEqual(['Complete', '1/1', '3m20s']);
  });
  it('leaves DURATION empty before the job starts', () => {
    expect(jobPrinter.print(job({ completions: 1 }), now).cells[3]).toBe('');
  });
  it.each([
    ['work queue with parallelism', { parallelism: 3 }, '0/1 of 3'],
    ['work queue without parallelism', {}, '0/1'],
  ])('prints completions for a %s', (_name, spec, want) => {
    expect(jobPrinter.print(job(spec), now).cells[2]).toBe(want);
  });
  it.each<[string, Job, string]>([
    ['complete', job({}, { conditions: [{ type: 'Complete', status: 'True' }] }, true), 'Complete'],
    ['failed', job({}, { conditions: [{ type: 'Failed', status: 'True' }] }), 'Failed'],
    ['terminating', job({}, {}, true), 'Terminating'],
    ['suspended', job({}, { conditions: [{ type: 'Suspended', status: 'True' }] }), 'Suspended'],
    ['failure target', job({}, { conditions: [{ type: 'FailureTarget', status: 'True' }] }), 'FailureTarget'],
    ['a False condition is ignored', job({}, { conditions: [{ type: 'Complete', status: 'False' }] }), 'Running'],
  ])('STATUS of a %s job', (_name, j, want) => {
    expect(jobStatus(j)).toBe(want);
  });
});

describe('cronJobPrinter', () => {
  it('prints schedule, time zone, suspend, active jobs and last schedule', () => {
    const cj: CronJob = {
      metadata: meta('backup'),
      spec: {
        schedule: '*/5 * * * *',
        timeZone: 'Etc/UTC',
        suspend: false,
        jobTemplate: { spec: { template, selector: { matchLabels: { app: 'backup' } } } },
      },
      status: { active: [{ name: 'backup-1' }], lastScheduleTime: ago(120) },
    };
    expect(cronJobPrinter.print(cj, now).cells).toEqual([
      'backup', '*/5 * * * *', 'Etc/UTC', 'False', 1, '2m', '2d4h', 'nginx,sidecar', 'nginx:1.22.1,busybox', 'app=backup',
    ]);
  });
  it('prints <none> and <unset> for what is not set', () => {
    const cj: CronJob = { metadata: meta('backup'), spec: { schedule: '@daily', jobTemplate: { spec: { template } } } };
    expect(cronJobPrinter.print(cj, now).cells.slice(2, 6)).toEqual(['<none>', '<unset>', 0, '<none>']);
    expect(cronJobPrinter.print(cj, now).cells[9]).toBe('<none>');
  });
});

describe('controllerRevisionPrinter', () => {
  const rev = (ownerReferences: OwnerReference[]): ControllerRevision => ({
    metadata: { ...meta('proxy-7c5d'), ownerReferences },
    revision: 2,
  });
  it('names the controller as kind.group/name', () => {
    const r = rev([{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'proxy', uid: 'u1', controller: true }]);
    expect(controllerRevisionPrinter.print(r, now).cells).toEqual(['proxy-7c5d', 'daemonset.apps/proxy', 2, '2d4h']);
  });
  it('names a core-group controller as kind/name and ignores non-controller owners', () => {
    expect(controllerRevisionPrinter.print(rev([{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u', controller: true }]), now).cells[1]).toBe('pod/p');
    expect(controllerRevisionPrinter.print(rev([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 's', uid: 'u' }]), now).cells[1]).toBe('<none>');
  });
});
