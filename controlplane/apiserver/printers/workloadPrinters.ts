// `kubectl get deploy|rs|ds|sts|jobs|cronjobs|controllerrevisions`: the workload controllers'
// tables, from upstream printDeployment, printReplicaSet, printDaemonSet, printStatefulSet,
// printJob, printCronJob and printControllerRevision (pkg/printers/internalversion/printers.go).
// Replica counts left unset print as their API default (1), since upstream prints defaulted objects.

import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { CronJob, Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import { humanDuration, parseTimestamp, translateTimestampSince } from './age.ts';
import { formatLabels, formatLabelSelector, labelSelectorString } from './labels.ts';
import {
  ageColumn,
  column,
  containersColumn,
  imagesColumn,
  layoutContainerCells,
  nameColumn,
  nameOf,
  type Printer,
} from './table.ts';

const selectorColumn = (description: string) => column('Selector', 'string', description, { priority: 1 });

export const deploymentPrinter: Printer<Deployment> = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'Number of the pod with ready state'),
    column('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    column('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    selectorColumn('Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.'),
  ],
  print(d, now) {
    const { names, images } = layoutContainerCells(d.spec?.template?.spec?.containers);
    const st = d.status ?? {};
    // printDeployment uses the raw selector string: empty stays empty, invalid is "<invalid>".
    const selector = labelSelectorString(d.spec?.selector) ?? '<invalid>';
    return {
      cells: [
        nameOf(d),
        `${st.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
        st.updatedReplicas ?? 0,
        st.availableReplicas ?? 0,
        translateTimestampSince(d.metadata?.creationTimestamp, now),
        names,
        images,
        selector,
      ],
    };
  },
};

export const replicaSetPrinter: Printer<ReplicaSet> = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', 'Replicas is the number of desired replicas.'),
    column('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    column('Ready', 'integer', 'The number of ready replicas for this replica set.'),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    selectorColumn('Selector is a label query over pods that should match the replica count.'),
  ],
  print(rs, now) {
    const { names, images } = layoutContainerCells(rs.spec?.template?.spec?.containers);
    return {
      cells: [
        nameOf(rs),
        rs.spec?.replicas ?? 1,
        rs.status?.replicas ?? 0,
        rs.status?.readyReplicas ?? 0,
        translateTimestampSince(rs.metadata?.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(rs.spec?.selector),
      ],
    };
  },
};

export const daemonSetPrinter: Printer<DaemonSet> = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
    column('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    column('Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'),
    column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    column('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
    column('Node Selector', 'string', "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node."),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    selectorColumn('A label query over pods that are managed by the daemon set.'),
  ],
  print(ds, now) {
    const { names, images } = layoutContainerCells(ds.spec?.template?.spec?.containers);
    const st = ds.status;
    return {
      cells: [
        nameOf(ds),
        st?.desiredNumberScheduled ?? 0,
        st?.currentNumberScheduled ?? 0,
        st?.numberReady ?? 0,
        st?.updatedNumberScheduled ?? 0,
        st?.numberAvailable ?? 0,
        formatLabels(ds.spec?.template?.spec?.nodeSelector),
        translateTimestampSince(ds.metadata?.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(ds.spec?.selector),
      ],
    };
  },
};

export const statefulSetPrinter: Printer<StatefulSet> = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'Number of the pod with ready state'),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
  ],
  print(sts, now) {
    const { names, images } = layoutContainerCells(sts.spec?.template?.spec?.containers);
    return {
      cells: [
        nameOf(sts),
        `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 1}`,
        translateTimestampSince(sts.metadata?.creationTimestamp, now),
        names,
        images,
      ],
    };
  },
};

/** True when the first condition of this type is True (upstream hasJobCondition). */
function hasJobCondition(conditions: JobCondition[] | undefined, type: string): boolean {
  const c = (conditions ?? []).find((x) => x.type === type);
  return c?.status === 'True';
}

/** The STATUS cell of a Job: finished states first, then deletion, then suspension. */
export function jobStatus(job: Job): string {
  const conds = job.status?.conditions;
  if (hasJobCondition(conds, 'Complete')) return 'Complete';
  if (hasJobCondition(conds, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (hasJobCondition(conds, 'Suspended')) return 'Suspended';
  if (hasJobCondition(conds, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

/** COMPLETIONS: "succeeded/completions", or for work-queue jobs "n/1" and "n/1 of <parallelism>". */
function jobCompletions(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions != null) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** DURATION: running time so far, or start to completion; empty before the job starts. */
function jobDuration(job: Job, now: Date): string {
  const start = parseTimestamp(job.status?.startTime);
  if (start === undefined) return '';
  const end = parseTimestamp(job.status?.completionTime);
  return humanDuration((end ?? now.getTime()) - start);
}

export const jobPrinter: Printer<Job> = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'Status of the job.'),
    column('Completions', 'string', 'The number of pods which reached phase Succeeded.'),
    column('Duration', 'string', 'Time required to complete the job.'),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    selectorColumn('A label query over pods that should match the pod count.'),
  ],
  print(job, now) {
    const { names, images } = layoutContainerCells(job.spec?.template?.spec?.containers);
    return {
      cells: [
        nameOf(job),
        jobStatus(job),
        jobCompletions(job),
        jobDuration(job, now),
        translateTimestampSince(job.metadata?.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(job.spec?.selector),
      ],
    };
  },
};

/** upstream printBoolPtr: "True", "False", or "<unset>". */
function printBoolPtr(value: boolean | undefined): string {
  if (value === undefined || value === null) return '<unset>';
  return value ? 'True' : 'False';
}

export const cronJobPrinter: Printer<CronJob> = {
  columns: [
    nameColumn(),
    column('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    column('Timezone', 'string', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
    column('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.'),
    column('Active', 'integer', 'A list of pointers to currently running jobs.'),
    column('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    selectorColumn('A label query over pods that should match the pod count.'),
  ],
  print(cj, now) {
    const jobSpec = cj.spec?.jobTemplate?.spec;
    const { names, images } = layoutContainerCells(jobSpec?.template?.spec?.containers);
    const last = cj.status?.lastScheduleTime;
    return {
      cells: [
        nameOf(cj),
        cj.spec?.schedule ?? '',
        cj.spec?.timeZone ?? '<none>',
        printBoolPtr(cj.spec?.suspend),
        (cj.status?.active ?? []).length,
        last ? translateTimestampSince(last, now) : '<none>',
        translateTimestampSince(cj.metadata?.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(jobSpec?.selector),
      ],
    };
  },
};

/** "daemonset.apps/web" for the controller owner of a revision (upstream formatResourceName). */
function controllerName(rev: ControllerRevision): string {
  const ref = (rev.metadata?.ownerReferences ?? []).find((o) => o.controller === true);
  if (!ref) return '<none>';
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  if (!group && !ref.kind) return ref.name;
  const groupKind = group ? `${ref.kind}.${group}` : ref.kind;
  return `${groupKind.toLowerCase()}/${ref.name}`;
}

export const controllerRevisionPrinter: Printer<ControllerRevision> = {
  columns: [
    nameColumn(),
    column('Controller', 'string', 'Controller of the object'),
    column('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn(),
  ],
  print(rev, now) {
    return {
      cells: [nameOf(rev), controllerName(rev), rev.revision ?? 0, translateTimestampSince(rev.metadata?.creationTimestamp, now)],
    };
  },
};
