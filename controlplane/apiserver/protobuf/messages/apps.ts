// Protobuf messages of apps/v1 (k8s.io/api/apps/v1/types.go).
// Field numbers and JSON names come from the Go struct tags of k8s.io/api and k8s.io/apimachinery
// 1.34 (`protobuf:"bytes,N,opt,name=x"`, `json:"x,omitempty"`); the notation is explained in ../schema.ts.
import type { MessageTable } from '../schema.ts';

export const APPS_V1: MessageTable = {
  'apps.Deployment': {
    1: 'metadata: meta.ObjectMeta', 2: 'spec: apps.DeploymentSpec', 3: 'status: apps.DeploymentStatus',
  },
  'apps.DeploymentSpec': {
    1: 'replicas: *int32', 2: 'selector: meta.LabelSelector', 3: 'template: core.PodTemplateSpec',
    4: 'strategy: apps.DeploymentStrategy', 5: 'minReadySeconds: int32', 6: 'revisionHistoryLimit: *int32',
    7: 'paused: bool', 9: 'progressDeadlineSeconds: *int32',
  },
  'apps.DeploymentStrategy': { 1: 'type: string', 2: 'rollingUpdate: apps.RollingUpdateDeployment' },
  'apps.RollingUpdateDeployment': { 1: 'maxUnavailable: IntOrString', 2: 'maxSurge: IntOrString' },
  'apps.DeploymentStatus': {
    1: 'observedGeneration: int64', 2: 'replicas: int32', 3: 'updatedReplicas: int32', 7: 'readyReplicas: int32',
    4: 'availableReplicas: int32', 5: 'unavailableReplicas: int32', 9: 'terminatingReplicas: *int32',
    6: 'conditions: []apps.DeploymentCondition', 8: 'collisionCount: *int32',
  },
  'apps.DeploymentCondition': {
    1: 'type: *string', 2: 'status: *string', 6: 'lastUpdateTime: Time', 7: 'lastTransitionTime: Time',
    4: 'reason: string', 5: 'message: string',
  },
  'apps.ReplicaSet': {
    1: 'metadata: meta.ObjectMeta', 2: 'spec: apps.ReplicaSetSpec', 3: 'status: apps.ReplicaSetStatus',
  },
  'apps.ReplicaSetSpec': {
    1: 'replicas: *int32', 4: 'minReadySeconds: int32', 2: 'selector: meta.LabelSelector',
    3: 'template: core.PodTemplateSpec',
  },
  'apps.ReplicaSetStatus': {
    1: 'replicas: *int32', 2: 'fullyLabeledReplicas: int32', 4: 'readyReplicas: int32', 5: 'availableReplicas: int32',
    7: 'terminatingReplicas: *int32', 3: 'observedGeneration: int64', 6: 'conditions: []apps.ReplicaSetCondition',
  },
  'apps.ReplicaSetCondition': {
    1: 'type: *string', 2: 'status: *string', 3: 'lastTransitionTime: Time', 4: 'reason: string',
    5: 'message: string',
  },
  'apps.DaemonSet': {
    1: 'metadata: meta.ObjectMeta', 2: 'spec: apps.DaemonSetSpec', 3: 'status: apps.DaemonSetStatus',
  },
  'apps.DaemonSetSpec': {
    1: 'selector: meta.LabelSelector', 2: 'template: core.PodTemplateSpec',
    3: 'updateStrategy: apps.DaemonSetUpdateStrategy', 4: 'minReadySeconds: int32', 6: 'revisionHistoryLimit: *int32',
  },
  'apps.DaemonSetUpdateStrategy': { 1: 'type: string', 2: 'rollingUpdate: apps.RollingUpdateDaemonSet' },
  'apps.RollingUpdateDaemonSet': { 1: 'maxUnavailable: IntOrString', 2: 'maxSurge: IntOrString' },
  'apps.DaemonSetStatus': {
    1: 'currentNumberScheduled: *int32', 2: 'numberMisscheduled: *int32', 3: 'desiredNumberScheduled: *int32',
    4: 'numberReady: *int32', 5: 'observedGeneration: int64', 6: 'updatedNumberScheduled: int32',
    7: 'numberAvailable: int32', 8: 'numberUnavailable: int32', 9: 'collisionCount: *int32',
    10: 'conditions: []apps.DaemonSetCondition',
  },
  'apps.DaemonSetCondition': {
    1: 'type: *string', 2: 'status: *string', 3: 'lastTransitionTime: Time', 4: 'reason: string',
    5: 'message: string',
  },
  'apps.StatefulSet': {
    1: 'metadata: meta.ObjectMeta', 2: 'spec: apps.StatefulSetSpec', 3: 'status: apps.StatefulSetStatus',
  },
  'apps.StatefulSetSpec': {
    1: 'replicas: *int32', 2: 'selector: meta.LabelSelector', 3: 'template: core.PodTemplateSpec',
    4: 'volumeClaimTemplates: []core.PersistentVolumeClaim', 5: 'serviceName: *string',
    6: 'podManagementPolicy: string', 7: 'updateStrategy: apps.StatefulSetUpdateStrategy',
    8: 'revisionHistoryLimit: *int32', 9: 'minReadySeconds: int32',
    10: 'persistentVolumeClaimRetentionPolicy: apps.StatefulSetPersistentVolumeClaimRetentionPolicy',
    11: 'ordinals: apps.StatefulSetOrdinals',
  },
  'apps.StatefulSetUpdateStrategy': { 1: 'type: string', 2: 'rollingUpdate: apps.RollingUpdateStatefulSetStrategy' },
  'apps.RollingUpdateStatefulSetStrategy': { 1: 'partition: *int32', 2: 'maxUnavailable: IntOrString' },
  'apps.StatefulSetPersistentVolumeClaimRetentionPolicy': { 1: 'whenDeleted: string', 2: 'whenScaled: string' },
  'apps.StatefulSetOrdinals': { 1: 'start: *int32' },
  'apps.StatefulSetStatus': {
    1: 'observedGeneration: int64', 2: 'replicas: *int32', 3: 'readyReplicas: int32', 4: 'currentReplicas: int32',
    5: 'updatedReplicas: int32', 6: 'currentRevision: string', 7: 'updateRevision: string',
    9: 'collisionCount: *int32', 10: 'conditions: []apps.StatefulSetCondition', 11: 'availableReplicas: *int32',
  },
  'apps.StatefulSetCondition': {
    1: 'type: *string', 2: 'status: *string', 3: 'lastTransitionTime: Time', 4: 'reason: string',
    5: 'message: string',
  },
  'apps.ControllerRevision': { 1: 'metadata: meta.ObjectMeta', 2: 'data: RawExtension', 3: 'revision: *int64' },
};
