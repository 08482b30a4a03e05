// Workload defaults from pkg/apis/apps/v1/defaults.go and pkg/apis/batch/v1/defaults.go, each
// followed by the pod defaults of its template.

import { ensureObject, isObject, isUnset, type Json, objectAt, objectsAt, setDefault, setDefaultString } from './fields.ts';
import { defaultPodTemplate } from './podDefaults.ts';
import { defaultClaim } from './coreDefaults.ts';

// Upstream's defaults for apps/v1 and batch/v1.
const DEFAULT_REVISION_HISTORY_LIMIT = 10;
const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
const DEFAULT_DEPLOYMENT_MAX_SURGE = '25%';
const DEFAULT_DEPLOYMENT_MAX_UNAVAILABLE = '25%';
const DEFAULT_JOB_BACKOFF_LIMIT = 6;
const MAX_INT32 = 2147483647;
const DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT = 3;
const DEFAULT_FAILED_JOBS_HISTORY_LIMIT = 1;

export function defaultDeployment(obj: Json): void {
  const spec = ensureObject(obj, 'spec');
  if (!spec) return;
  setDefault(spec, 'replicas', 1);
  const strategy = ensureObject(spec, 'strategy');
  if (strategy) {
    setDefaultString(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const ru = ensureObject(strategy, 'rollingUpdate');
      if (ru) {
        setDefault(ru, 'maxUnavailable', DEFAULT_DEPLOYMENT_MAX_UNAVAILABLE);
        setDefault(ru, 'maxSurge', DEFAULT_DEPLOYMENT_MAX_SURGE);
      }
    }
  }
  setDefault(spec, 'revisionHistoryLimit', DEFAULT_REVISION_HISTORY_LIMIT);
  setDefault(spec, 'progressDeadlineSeconds', DEFAULT_PROGRESS_DEADLINE_SECONDS);
  defaultPodTemplate(spec.template);
}

export function defaultReplicaSet(obj: Json): void {
  const spec = ensureObject(obj, 'spec');
  if (!spec) return;
  setDefault(spec, 'replicas', 1);
  defaultPodTemplate(spec.template);
}

export function defaultDaemonSet(obj: Json): void {
  const spec = ensureObject(obj, 'spec');
  if (!spec) return;
  const strategy = ensureObject(spec, 'updateStrategy');
  if (strategy) {
    setDefaultString(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const ru = ensureObject(strategy, 'rollingUpdate');
      if (ru) {
        setDefault(ru, 'maxUnavailable', 1);
        setDefault(ru, 'maxSurge', 0);
      }
    }
  }
  setDefault(spec, 'revisionHistoryLimit', DEFAULT_REVISION_HISTORY_LIMIT);
  defaultPodTemplate(spec.template);
}

export function defaultStatefulSet(obj: Json): void {
  const spec = ensureObject(obj, 'spec');
  if (!spec) return;
  setDefaultString(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = ensureObject(spec, 'updateStrategy');
  if (strategy) {
    // Upstream creates rollingUpdate only when it also picked the type.
    if (isUnset(strategy.type) || strategy.type === '') {
      strategy.type = 'RollingUpdate';
      setDefault(strategy, 'rollingUpdate', {});
    }
    const ru = objectAt(strategy, 'rollingUpdate');
    if (strategy.type === 'RollingUpdate' && ru) setDefault(ru, 'partition', 0);
  }
  const retention = ensureObject(spec, 'persistentVolumeClaimRetentionPolicy');
  if (retention) {
    setDefaultString(retention, 'whenDeleted', 'Retain');
    setDefaultString(retention, 'whenScaled', 'Retain');
  }
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', DEFAULT_REVISION_HISTORY_LIMIT);
  defaultPodTemplate(spec.template);
  for (const claim of objectsAt(spec, 'volumeClaimTemplates')) defaultClaim(claim);
}

/** SetDefaults_Job: a single-pod job when neither count is given, six retries, NonIndexed. */
export function defaultJob(obj: Json): void {
  const spec = ensureObject(obj, 'spec');
  if (!spec) return;
  if (isUnset(spec.completions) && isUnset(spec.parallelism)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', isUnset(spec.backoffLimitPerIndex) ? DEFAULT_JOB_BACKOFF_LIMIT : MAX_INT32);
  // A Job without labels of its own takes its template's.
  const templateLabels = objectAt(objectAt(spec.template, 'metadata'), 'labels');
  const meta = ensureObject(obj, 'metadata');
  const ownLabels = meta?.labels;
  const unlabelled = isUnset(ownLabels) || (isObject(ownLabels) && Object.keys(ownLabels).length === 0);
  if (meta && templateLabels && unlabelled) meta.labels = { ...templateLabels };
  setDefaultString(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  // JobPodReplacementPolicy (beta, on in 1.32): replace pods only once they are fully gone.
  setDefaultString(spec, 'podReplacementPolicy', isUnset(spec.podFailurePolicy) ? 'TerminatingOrFailed' : 'Failed');
  for (const rule of objectsAt(objectAt(spec, 'podFailurePolicy'), 'rules')) {
    for (const cond of objectsAt(rule, 'onPodConditions')) setDefaultString(cond, 'status', 'True');
  }
  defaultPodTemplate(spec.template);
}

/** SetDefaults_CronJob. The job template only gets pod defaults; Job defaults come when each Job is created. */
export function defaultCronJob(obj: Json): void {
  const spec = ensureObject(obj, 'spec');
  if (!spec) return;
  setDefaultString(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT);
  setDefault(spec, 'failedJobsHistoryLimit', DEFAULT_FAILED_JOBS_HISTORY_LIMIT);
  defaultPodTemplate(objectAt(objectAt(spec, 'jobTemplate'), 'spec')?.template);
}
