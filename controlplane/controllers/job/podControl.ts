// The Job controller's writes to pods (upstream controller.RealPodControl as the Job controller
// uses it): create pods from the template, delete pods, and remove the job-tracking finalizer.
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { findResource } from '../../api/resources.ts';
import type { Client, EventRecorder, KubeObject, ResourceClient } from '../../client/types.ts';
import { isNotFound } from '../../client/types.ts';
import { newControllerRef } from '../controllerUtils/controllerRef.ts';
import { withKind } from '../controllerUtils/keys.ts';
import { errorText } from '../controllerUtils/runController.ts';
import { JOB_TRACKING_FINALIZER } from './jobPods.ts';

export type JobObj = Job & KubeObject;
export type PodObj = Pod & KubeObject;

const PODS = findResource('', 'v1', 'pods')!;

export class JobPodControl {
  constructor(
    private readonly client: Client,
    private readonly recorder: EventRecorder,
  ) {}

  private pods(ns: string): ResourceClient<PodObj> {
    return this.client.resource<PodObj>(PODS, ns);
  }

  private event(job: JobObj, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.recorder.event(withKind(job, 'batch/v1', 'Job'), type, reason, message);
  }

  /** GetPodFromTemplate: a pod "<job>-xxxxx" with the template's labels (the Job's selector labels among them), owned by the Job. */
  podFromTemplate(job: JobObj): PodObj {
    const template = job.spec?.template ?? {};
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${job.metadata.name}-`,
        namespace: job.metadata.namespace,
        labels: { ...(template.metadata?.labels ?? {}) },
        annotations: { ...(template.metadata?.annotations ?? {}) },
        ownerReferences: [newControllerRef(job, 'batch/v1', 'Job')],
        finalizers: [...(template.metadata?.finalizers ?? []), JOB_TRACKING_FINALIZER],
      } as PodObj['metadata'],
      spec: structuredClone(template.spec) as Pod['spec'],
    };
  }

  async createPod(job: JobObj): Promise<void> {
    try {
      const created = await this.pods(job.metadata.namespace!).create(this.podFromTemplate(job));
      this.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (e) {
      this.event(job, 'Warning', 'FailedCreate', `Error creating: ${errorText(e)}`);
      throw e;
    }
  }

  /** Deletes one pod (its finalizer stays: the pod is counted as failed, then released). False when it was already gone. */
  async deletePod(job: JobObj, pod: PodObj): Promise<boolean> {
    try {
      await this.pods(job.metadata.namespace!).delete(pod.metadata.name, { preconditions: { uid: pod.metadata.uid } });
      this.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      this.event(job, 'Warning', 'FailedDelete', `Error deleting: ${errorText(e)}`);
      throw e;
    }
  }

  /** removeTrackingFinalizerPatch: the uid in the patch keeps a recreated pod of the same name untouched. */
  async removeTrackingFinalizer(pod: PodObj): Promise<void> {
    const patch = { metadata: { [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER], uid: pod.metadata.uid } };
    try {
      await this.pods(pod.metadata.namespace!).patch(pod.metadata.name, 'strategic', patch);
    } catch (e) {
      // Gone, or replaced by another pod of the same name (the uid no longer matches): nothing to release.
      const code = (e as { code?: number }).code;
      if (!isNotFound(e) && code !== 409 && code !== 422) throw e;
    }
  }
}
