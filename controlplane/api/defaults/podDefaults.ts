// Pod defaults from pkg/apis/core/v1/defaults.go: SetDefaults_PodSpec, SetDefaults_Container,
// SetDefaults_Probe, SetDefaults_Volume and friends. They apply to Pods and to every pod template
// (Deployments, Jobs ...); a few apply to Pods only, as upstream's SetDefaults_Pod.

import { ensureObject, isUnset, type Json, objectAt, objectsAt, setDefault, setDefaultString } from './fields.ts';

// Upstream constants (pkg/apis/core/v1/defaults.go, api/core/v1/types.go).
const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';
const DEFAULT_FILE_MODE = 0o644; // 420: configMap, secret, downwardAPI and projected volumes
const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

/** The tag of an image reference, as docker's reference parser finds it ("latest" when absent). */
export function imageTag(image: string): string {
  const [name, digest] = image.split('@', 2);
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  if (colon >= 0) return name.slice(colon + 1);
  return digest === undefined ? 'latest' : '';
}

/** Always for :latest (or no tag), IfNotPresent otherwise; a digest pins the image. */
export function defaultPullPolicy(image: unknown): string {
  return typeof image === 'string' && imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHTTPGet(h: Json | undefined): void {
  if (!h) return;
  setDefaultString(h, 'path', '/');
  setDefaultString(h, 'scheme', 'HTTP');
}

function defaultProbe(p: Json | undefined): void {
  if (!p) return;
  setDefault(p, 'timeoutSeconds', 1);
  setDefault(p, 'periodSeconds', 10);
  setDefault(p, 'successThreshold', 1);
  setDefault(p, 'failureThreshold', 3);
  defaultHTTPGet(objectAt(p, 'httpGet'));
}

function defaultContainer(c: Json): void {
  setDefaultString(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  setDefaultString(c, 'terminationMessagePath', DEFAULT_TERMINATION_MESSAGE_PATH);
  setDefaultString(c, 'terminationMessagePolicy', 'File');
  for (const port of objectsAt(c, 'ports')) setDefaultString(port, 'protocol', 'TCP');
  for (const env of objectsAt(c, 'env')) {
    const fieldRef = objectAt(objectAt(env, 'valueFrom'), 'fieldRef');
    if (fieldRef) setDefaultString(fieldRef, 'apiVersion', 'v1');
  }
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(objectAt(c, probe));
  const lifecycle = objectAt(c, 'lifecycle');
  for (const hook of ['postStart', 'preStop']) defaultHTTPGet(objectAt(objectAt(lifecycle, hook), 'httpGet'));
}

// Every field that names a volume source; a volume with none of them becomes an emptyDir.
const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO',
  'configMap', 'storageos', 'projected', 'csi', 'ephemeral', 'image',
];

function defaultVolume(v: Json): void {
  if (VOLUME_SOURCES.every((k) => isUnset(v[k]))) v.emptyDir = {};
  const hostPath = objectAt(v, 'hostPath');
  if (hostPath) setDefault(hostPath, 'type', '');
  for (const k of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const src = objectAt(v, k);
    if (src) setDefault(src, 'defaultMode', DEFAULT_FILE_MODE);
  }
  for (const source of objectsAt(objectAt(v, 'projected'), 'sources')) {
    const token = objectAt(source, 'serviceAccountToken');
    if (token) setDefault(token, 'expirationSeconds', DEFAULT_TOKEN_EXPIRATION_SECONDS);
  }
  for (const item of objectsAt(objectAt(v, 'downwardAPI'), 'items')) {
    const fieldRef = objectAt(item, 'fieldRef');
    if (fieldRef) setDefaultString(fieldRef, 'apiVersion', 'v1');
  }
  const claimSpec = objectAt(objectAt(objectAt(v, 'ephemeral'), 'volumeClaimTemplate'), 'spec');
  if (claimSpec) setDefault(claimSpec, 'volumeMode', 'Filesystem');
}

/** SetDefaults_PodSpec plus the container and volume defaults inside it. */
export function defaultPodSpec(spec: Json): void {
  setDefaultString(spec, 'dnsPolicy', 'ClusterFirst');
  setDefaultString(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS);
  setDefaultString(spec, 'schedulerName', DEFAULT_SCHEDULER_NAME);
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    for (const c of objectsAt(spec, list)) defaultContainer(c);
  }
  for (const v of objectsAt(spec, 'volumes')) defaultVolume(v);
}

/** A pod template (spec.template of a workload). */
export function defaultPodTemplate(template: unknown): void {
  const spec = objectAt(template, 'spec');
  if (spec) defaultPodSpec(spec);
}

/** With the host's network a container port is a host port: default hostPort to containerPort. */
function defaultHostNetworkPorts(containers: Json[]): void {
  for (const c of containers) {
    for (const port of objectsAt(c, 'ports')) {
      if (isUnset(port.hostPort) || port.hostPort === 0) port.hostPort = port.containerPort;
    }
  }
}

/** SetDefaults_Pod: the template defaults, plus what only a real Pod gets. */
export function defaultPod(pod: Json): void {
  const spec = ensureObject(pod, 'spec');
  if (!spec) return;
  defaultPodSpec(spec);
  // Requests default to limits, so a pod that only sets limits is Guaranteed.
  for (const list of ['containers', 'initContainers']) {
    for (const c of objectsAt(spec, list)) {
      const resources = objectAt(c, 'resources');
      const limits = objectAt(resources, 'limits');
      if (!resources || !limits) continue;
      const requests = ensureObject(resources, 'requests');
      if (!requests) continue;
      for (const [name, q] of Object.entries(limits)) setDefault(requests, name, q);
    }
  }
  setDefault(spec, 'enableServiceLinks', true);
  if (spec.hostNetwork === true) {
    defaultHostNetworkPorts(objectsAt(spec, 'containers'));
    defaultHostNetworkPorts(objectsAt(spec, 'initContainers'));
  }
}
