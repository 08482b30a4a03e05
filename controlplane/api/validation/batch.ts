// batch/v1 checks from pkg/apis/batch/validation/validation.go: Job and CronJob. Job pods run to
// completion, so their template may restart only OnFailure or Never.

import { GoSyntax, goStringMap, invalid, notSupported, required } from './causes.ts';
import { nonNegative, oneOf, selectorIsEmpty, selectorMatches, validateLabelSelector } from './common.ts';
import { parseCronSchedule } from './cronSchedule.ts';
import { labelSelectorGoSyntax } from './goSyntax.ts';
import { validateLabels, validateAnnotations } from './objectMeta.ts';
import { templateLabels, validatePodTemplate } from './podSpec.ts';
import { Causes, type Json } from './shape.ts';

const JOB_RESTART_POLICIES = ['OnFailure', 'Never'];
const COMPLETION_MODES = ['NonIndexed', 'Indexed'];
// CronJob names leave room for the 11-character suffix of the Jobs they create (63 - 11).
const CRONJOB_NAME_MAX = 52;

/** validateJobSpec: counts, the template, and restartPolicy OnFailure or Never. */
function validateJobSpec(c: Causes, spec: Json, path: string): void {
  nonNegative(c, spec.parallelism, `${path}.parallelism`);
  nonNegative(c, spec.completions, `${path}.completions`);
  nonNegative(c, spec.backoffLimit, `${path}.backoffLimit`);
  const deadline = c.int(spec.activeDeadlineSeconds, `${path}.activeDeadlineSeconds`);
  if (deadline !== undefined && deadline <= 0) c.add(invalid(`${path}.activeDeadlineSeconds`, deadline, 'must be greater than 0'));
  nonNegative(c, spec.ttlSecondsAfterFinished, `${path}.ttlSecondsAfterFinished`);
  const mode = c.str(spec.completionMode, `${path}.completionMode`);
  if (mode !== undefined && !COMPLETION_MODES.includes(mode)) c.add(notSupported(`${path}.completionMode`, mode, COMPLETION_MODES));
  if (mode === 'Indexed' && (spec.completions === undefined || spec.completions === null)) {
    c.add(required(`${path}.completions`, 'when completion mode is Indexed'));
  }
  c.bool(spec.suspend, `${path}.suspend`);
  const template = validatePodTemplate(c, spec.template, `${path}.template`);
  if (template && spec.selector !== undefined && spec.selector !== null && !selectorIsEmpty(spec.selector)) {
    if (!selectorMatches(spec.selector, templateLabels(template))) {
      c.add(invalid(`${path}.template.metadata.labels`, new GoSyntax(goStringMap(templateLabels(template))), '`selector` does not match template `labels`'));
    }
  }
  const podSpec = template?.spec;
  if (typeof podSpec === 'object' && podSpec !== null) {
    const rp = (podSpec as Json).restartPolicy;
    if (typeof rp === 'string' && rp !== 'OnFailure' && rp !== 'Never') {
      c.add(notSupported(`${path}.template.spec.restartPolicy`, rp, JOB_RESTART_POLICIES));
    }
  }
}

/**
 * ValidateJob. The selector is required: the API server generates it (and the matching template
 * labels) before validation unless the user asked for manualSelector.
 */
export function validateJob(c: Causes, obj: Json): void {
  const spec = c.obj(obj.spec, 'spec');
  if (!spec) return void c.add(required('spec.selector'));
  if (spec.selector === undefined || spec.selector === null) c.add(required('spec.selector'));
  else validateLabelSelector(c, spec.selector, 'spec.selector');
  c.bool(spec.manualSelector, 'spec.manualSelector');
  validateJobSpec(c, spec, 'spec');
}

export function validateCronJob(c: Causes, obj: Json): void {
  const name = (obj.metadata as Json | undefined)?.name;
  if (typeof name === 'string' && name.length > CRONJOB_NAME_MAX) {
    c.add(invalid('metadata.name', name, `must be no more than ${CRONJOB_NAME_MAX} characters`));
  }
  const spec = c.obj(obj.spec, 'spec');
  if (!spec) return void c.add(required('spec.schedule'));
  const schedule = c.str(spec.schedule, 'spec.schedule');
  if (!schedule) c.add(required('spec.schedule'));
  else {
    const parsed = parseCronSchedule(schedule);
    if (!parsed.ok) c.add(invalid('spec.schedule', schedule, parsed.error));
    if (schedule.includes('TZ')) c.add(invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  c.str(spec.timeZone, 'spec.timeZone');
  nonNegative(c, spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds');
  oneOf(c, spec.concurrencyPolicy, 'spec.concurrencyPolicy', ['Allow', 'Forbid', 'Replace']);
  c.bool(spec.suspend, 'spec.suspend');
  nonNegative(c, spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit');
  nonNegative(c, spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit');

  // ValidateJobTemplateSpec: the CronJob controller generates each Job's selector itself.
  const jt = c.obj(spec.jobTemplate, 'spec.jobTemplate');
  if (!jt) return void c.add(required('spec.jobTemplate.spec.template'));
  const jtMeta = c.obj(jt.metadata, 'spec.jobTemplate.metadata') ?? {};
  validateLabels(c, jtMeta.labels, 'spec.jobTemplate.metadata.labels');
  validateAnnotations(c, jtMeta.annotations, 'spec.jobTemplate.metadata.annotations');
  const jspec = c.obj(jt.spec, 'spec.jobTemplate.spec');
  if (!jspec) return void c.add(required('spec.jobTemplate.spec.template'));
  validateJobSpec(c, jspec, 'spec.jobTemplate.spec');
  if (jspec.selector !== undefined && jspec.selector !== null) {
    c.add(invalid('spec.jobTemplate.spec.selector', new GoSyntax(labelSelectorGoSyntax(jspec.selector)), '`selector` will be auto-generated'));
  }
  if (jspec.manualSelector === true) c.add(notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
}
