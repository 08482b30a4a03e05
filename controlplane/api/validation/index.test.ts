import { describe, expect, it } from 'vitest';
import { applyDefaults, prepareForCreate } from '../defaults/index.ts';
import { errors, type StatusCause } from '../errors.ts';
import { validateCreate } from './index.ts';
import * as m from './manifests.fixture.ts';

type Obj = Record<string, any>;

/** What the API server does on create: default, prepare, validate. */
function create(obj: Obj): StatusCause[] {
  const r = m.resourceOf(obj as { apiVersion: string; kind: string });
  applyDefaults(r.kind, r.group, obj);
  prepareForCreate(r.kind, r.group, obj);
  return validateCreate(r, obj);
}

function edited<T extends Obj>(make: () => T, edit: (o: any) => void): T {
  const o = make();
  edit(o);
  return o;
}

describe('valid manifests', () => {
  it.each(m.ALL_MANIFESTS.map((f) => [f().kind, f] as const))('a realistic %s produces no causes', (_kind, make) => {
    expect(create(make())).toEqual([]);
  });
});

const DNS_LABEL_ERR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS_SUBDOMAIN_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

// Each case: a realistic manifest with one mistake, and exactly the causes upstream reports.
const CASES: [string, Obj, StatusCause[]][] = [
  ['a pod without a name', edited(m.nginxPod, (o) => delete o.metadata.name), [
    { field: 'metadata.name', reason: 'FieldValueRequired', message: 'Required value: name or generateName is required' },
  ]],
  ['a pod named in upper case', edited(m.nginxPod, (o) => (o.metadata.name = 'Nginx')), [
    { field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: "Nginx": ${DNS_SUBDOMAIN_ERR}` },
  ]],
  ['a generateName prefix ending in a dash', edited(m.nginxPod, (o) => { delete o.metadata.name; o.metadata.generateName = 'nginx-'; }), []],
  ['a pod without a namespace', edited(m.nginxPod, (o) => delete o.metadata.namespace), [
    { field: 'metadata.namespace', reason: 'FieldValueRequired', message: 'Required value' },
  ]],
  ['a namespace on a cluster-scoped object', edited(m.localPV, (o) => (o.metadata.namespace = 'default')), [
    { field: 'metadata.namespace', reason: 'FieldValueForbidden', message: 'Forbidden: not allowed on this type' },
  ]],
  ['a label value with a space', edited(m.nginxPod, (o) => (o.metadata.labels = { app: 'my app' })), [
    { field: 'metadata.labels', reason: 'FieldValueInvalid', message:
      "Invalid value: \"my app\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')" },
  ]],
  ['a label key with two slashes', edited(m.nginxPod, (o) => (o.metadata.labels = { 'a/b/c': 'x' })), [
    { field: 'metadata.labels', reason: 'FieldValueInvalid', message:
      "Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')" },
  ]],
  ['annotations over 256 KiB', edited(m.nginxPod, (o) => (o.metadata.annotations = { big: 'x'.repeat(262144) })), [
    { field: 'metadata.annotations', reason: 'FieldValueTooLong', message: 'Too long: must have at most 262144 bytes' },
  ]],
  ['a pod without containers', edited(m.nginxPod, (o) => (o.spec.containers = [])), [
    { field: 'spec.containers', reason: 'FieldValueRequired', message: 'Required value' },
  ]],
  ['a container without an image', edited(m.nginxPod, (o) => delete o.spec.containers[0].image), [
    { field: 'spec.containers[0].image', reason: 'FieldValueRequired', message: 'Required value' },
  ]],
  ['an init container named like an app container', edited(m.nginxPod, (o) => (o.spec.initContainers[0].name = 'nginx')), [
    { field: 'spec.initContainers[0].name', reason: 'FieldValueDuplicate', message: 'Duplicate value: "nginx"' },
  ]],
  ['a container name with an underscore', edited(m.nginxPod, (o) => (o.spec.containers[0].name = 'my_nginx')), [
    { field: 'spec.containers[0].name', reason: 'FieldValueInvalid', message: `Invalid value: "my_nginx": ${DNS_LABEL_ERR}` },
  ]],
  ['a container port out of range', edited(m.nginxPod, (o) => (o.spec.containers[0].ports[0].containerPort = 70000)), [
    { field: 'spec.containers[0].ports[0].containerPort', reason: 'FieldValueInvalid', message: 'Invalid value: 70000: must be between 1 and 65535, inclusive' },
  ]],
  ['an unknown port protocol', edited(m.nginxPod, (o) => (o.spec.containers[0].ports[0].protocol = 'HTTP')), [
    { field: 'spec.containers[0].ports[0].protocol', reason: 'FieldValueNotSupported', message: 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"' },
  ]],
  ['an env var name with "="', edited(m.mysqlDeployment, (o) => (o.spec.template.spec.containers[0].env[0].name = 'A=B')), [
    { field: 'spec.template.spec.containers[0].env[0].name', reason: 'FieldValueInvalid', message:
      "Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='" },
  ]],
  ['an envFrom entry naming no source', edited(m.mysqlDeployment, (o) => (o.spec.template.spec.containers[0].envFrom = [{ prefix: 'DB_' }])), [
    { field: 'spec.template.spec.containers[0].envFrom', reason: 'FieldValueInvalid', message: 'Invalid value: "": must specify one of: `configMapRef` or `secretRef`' },
  ]],
  ['a fieldRef to an unknown pod field', edited(m.mysqlDeployment, (o) => (o.spec.template.spec.containers[0].env[1].valueFrom.fieldRef.fieldPath = 'spec.hostname')), [
    { field: 'spec.template.spec.containers[0].env[1].valueFrom.fieldRef.fieldPath', reason: 'FieldValueNotSupported', message:
      'Unsupported value: "spec.hostname": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"' },
  ]],
  ['a mount of an undeclared volume', edited(m.nginxPod, (o) => (o.spec.containers[0].volumeMounts[0].name = 'www')), [
    { field: 'spec.containers[0].volumeMounts[0].name', reason: 'FieldValueNotFound', message: 'Not found: "www"' },
  ]],
  ['two volumes with one name', edited(m.nginxPod, (o) => o.spec.volumes.push({ name: 'html', emptyDir: {} })), [
    { field: 'spec.volumes[1].name', reason: 'FieldValueDuplicate', message: 'Duplicate value: "html"' },
  ]],
  ['a volume with two sources', edited(m.nginxPod, (o) => (o.spec.volumes[0].emptyDir = {})), [
    { field: 'spec.volumes[0].emptyDir', reason: 'FieldValueForbidden', message: 'Forbidden: may not specify more than 1 volume type' },
  ]],
  ['a hostPath without a path', edited(m.nginxPod, (o) => delete o.spec.volumes[0].hostPath.path), [
    { field: 'spec.volumes[0].hostPath.path', reason: 'FieldValueRequired', message: 'Required value' },
  ]],
  ['an unknown hostPath type', edited(m.nginxPod, (o) => (o.spec.volumes[0].hostPath.type = 'Dir')), [
    { field: 'spec.volumes[0].hostPath.type', reason: 'FieldValueNotSupported', message:
      'Unsupported value: "Dir": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"' },
  ]],
  ['an unknown restartPolicy', edited(m.nginxPod, (o) => (o.spec.restartPolicy = 'Sometimes')), [
    { field: 'spec.restartPolicy', reason: 'FieldValueNotSupported', message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"' },
  ]],
  ['an unknown dnsPolicy', edited(m.nginxPod, (o) => (o.spec.dnsPolicy = 'Google')), [
    { field: 'spec.dnsPolicy', reason: 'FieldValueNotSupported', message: 'Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"' },
  ]],
  ['a cpu request above its limit', edited(m.nginxPod, (o) => (o.spec.containers[0].resources = { requests: { cpu: '2' }, limits: { cpu: '1' } })), [
    { field: 'spec.containers[0].resources.requests', reason: 'FieldValueInvalid', message: 'Invalid value: "2": must be less than or equal to cpu limit of 1' },
  ]],
  ['a memory quantity that does not parse', edited(m.nginxPod, (o) => (o.spec.containers[0].resources = { requests: { memory: '1 GB' } })), [
    { field: 'spec.containers[0].resources.requests[memory]', reason: 'FieldValueInvalid', message:
      "Invalid value: \"1 GB\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" },
  ]],
  ['a deployment without a selector', edited(m.mysqlDeployment, (o) => delete o.spec.selector), [
    { field: 'spec.selector', reason: 'FieldValueRequired', message: 'Required value' },
  ]],
  ['a deployment whose selector misses the template', edited(m.mysqlDeployment, (o) => (o.spec.selector.matchLabels.app = 'db')), [
    { field: 'spec.template.metadata.labels', reason: 'FieldValueInvalid', message: 'Invalid value: map[string]string{"app":"mysql"}: `selector` does not match template `labels`' },
  ]],
  ['an empty deployment selector', edited(m.mysqlDeployment, (o) => (o.spec.selector = { matchLabels: {} })), [
    { field: 'spec.selector', reason: 'FieldValueInvalid', message:
      'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment' },
  ]],
  ['negative replicas', edited(m.mysqlDeployment, (o) => (o.spec.replicas = -1)), [
    { field: 'spec.replicas', reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0' },
  ]],
  ['replicas given as a word', edited(m.mysqlDeployment, (o) => (o.spec.replicas = 'three')), [
    { field: 'spec.replicas', reason: 'FieldValueTypeInvalid', message: 'Invalid value: "three": must be of type integer' },
  ]],
  ['rollingUpdate settings with the Recreate strategy', edited(m.mysqlDeployment, (o) => (o.spec.strategy.rollingUpdate = { maxSurge: 1 })), [
    { field: 'spec.strategy.rollingUpdate', reason: 'FieldValueForbidden', message: "Forbidden: may not be specified when strategy `type` is 'Recreate'" },
  ]],
  ['an unknown strategy type', edited(m.mysqlDeployment, (o) => (o.spec.strategy.type = 'BlueGreen')), [
    { field: 'spec.strategy.type', reason: 'FieldValueNotSupported', message: 'Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"' },
  ]],
  ['a deployment template that restarts Never', edited(m.mysqlDeployment, (o) => (o.spec.template.spec.restartPolicy = 'Never')), [
    { field: 'spec.template.spec.restartPolicy', reason: 'FieldValueNotSupported', message: 'Unsupported value: "Never": supported values: "Always"' },
  ]],
  ['a job template left to restart Always', edited(m.piJob, (o) => delete o.spec.template.spec.restartPolicy), [
    { field: 'spec.template.spec.restartPolicy', reason: 'FieldValueNotSupported', message: 'Unsupported value: "Always": supported values: "OnFailure", "Never"' },
  ]],
  ['a cronjob without a schedule', edited(m.backupCronJob, (o) => delete o.spec.schedule), [
    { field: 'spec.schedule', reason: 'FieldValueRequired', message: 'Required value' },
  ]],
  ['a cron schedule with four fields', edited(m.backupCronJob, (o) => (o.spec.schedule = '0 * * *')), [
    { field: 'spec.schedule', reason: 'FieldValueInvalid', message: 'Invalid value: "0 * * *": expected exactly 5 fields, found 4: [0 * * *]' },
  ]],
  ['a cron minute of 60', edited(m.backupCronJob, (o) => (o.spec.schedule = '60 * * * *')), [
    { field: 'spec.schedule', reason: 'FieldValueInvalid', message: 'Invalid value: "60 * * * *": end of range (60) above maximum (59): 60' },
  ]],
  ['a service without ports', edited(m.nginxService, (o) => delete o.spec.ports), [
    { field: 'spec.ports', reason: 'FieldValueRequired', message: 'Required value' },
  ]],
  ['a headless service without ports', edited(m.nginxService, (o) => { delete o.spec.ports; o.spec.type = 'ClusterIP'; o.spec.clusterIP = 'None'; }), []],
  ['a service named with a leading digit', edited(m.nginxService, (o) => (o.metadata.name = '1web')), [
    { field: 'metadata.name', reason: 'FieldValueInvalid', message:
      "Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')" },
  ]],
  ['two unnamed service ports', edited(m.nginxService, (o) => (o.spec.ports = [{ port: 80 }, { port: 443 }])), [
    { field: 'spec.ports[0].name', reason: 'FieldValueRequired', message: 'Required value' },
    { field: 'spec.ports[1].name', reason: 'FieldValueRequired', message: 'Required value' },
  ]],
  ['a node port outside the range', edited(m.nginxService, (o) => (o.spec.ports[0].nodePort = 8080)), [
    { field: 'spec.ports[0].nodePort', reason: 'FieldValueInvalid', message: 'Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767' },
  ]],
  ['an unknown service type', edited(m.nginxService, (o) => (o.spec.type = 'Ingress')), [
    { field: 'spec.type', reason: 'FieldValueNotSupported', message: 'Unsupported value: "Ingress": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"' },
  ]],
  ['a malformed clusterIP', edited(m.nginxService, (o) => (o.spec.clusterIP = '10.96.0.300')), [
    { field: 'spec.clusterIPs[0]', reason: 'FieldValueInvalid', message: 'Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)' },
  ]],
  ['externalTrafficPolicy on a ClusterIP service', edited(m.nginxService, (o) => { o.spec.type = 'ClusterIP'; delete o.spec.ports[0].nodePort; o.spec.externalTrafficPolicy = 'Local'; }), [
    { field: 'spec.externalTrafficPolicy', reason: 'FieldValueInvalid', message: 'Invalid value: "Local": may only be set for externally-accessible services' },
  ]],
  ['a configmap key with a slash', edited(m.mysqlConfigMap, (o) => (o.data = { 'conf/my.cnf': 'x' })), [
    { field: 'data[conf/my.cnf]', reason: 'FieldValueInvalid', message:
      "Invalid value: \"conf/my.cnf\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')" },
  ]],
  ['a TLS secret without a key', edited(m.mysqlSecret, (o) => { o.type = 'kubernetes.io/tls'; o.stringData = { 'tls.crt': 'x' }; }), [
    { field: 'data[tls.key]', reason: 'FieldValueRequired', message: 'Required value' },
  ]],
  ['a PV without capacity', edited(m.localPV, (o) => delete o.spec.capacity), [
    { field: 'spec.capacity', reason: 'FieldValueRequired', message: 'Required value' },
  ]],
  ['a PV without access modes', edited(m.localPV, (o) => delete o.spec.accessModes), [
    { field: 'spec.accessModes', reason: 'FieldValueRequired', message: 'Required value' },
  ]],
  ['a local PV without node affinity', edited(m.localPV, (o) => delete o.spec.nodeAffinity), [
    { field: 'spec.nodeAffinity', reason: 'FieldValueRequired', message: 'Required value: Local volume requires node affinity' },
  ]],
  ['a PV with two sources', edited(m.localPV, (o) => (o.spec.hostPath = { path: '/mnt/data' })), [
    { field: 'spec.local', reason: 'FieldValueForbidden', message: 'Forbidden: may not specify more than 1 volume type' },
  ]],
  ['a PVC without a storage request', edited(m.mysqlClaim, (o) => (o.spec.resources = {})), [
    { field: 'spec.resources[storage]', reason: 'FieldValueRequired', message: 'Required value' },
  ]],
  ['a PVC without access modes', edited(m.mysqlClaim, (o) => delete o.spec.accessModes), [
    { field: 'spec.accessModes', reason: 'FieldValueRequired', message: 'Required value: at least 1 access mode is required' },
  ]],
  ['a namespace named with a dot', edited(m.defaultNamespaceObj, (o) => (o.metadata.name = 'my.shop')), [
    { field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: "my.shop": ${DNS_LABEL_ERR}` },
  ]],
  ['an event filed in another namespace', edited(m.scheduledEvent, (o) => (o.involvedObject.namespace = 'shop')), [
    { field: 'involvedObject.namespace', reason: 'FieldValueInvalid', message: 'Invalid value: "shop": does not match event.namespace' },
  ]],
  ['an endpoint slice without addressType', edited(m.nginxSlice, (o) => delete o.addressType), [
    { field: 'addressType', reason: 'FieldValueRequired', message: 'Required value' },
  ]],
  ['an endpoint slice with an unknown addressType', edited(m.nginxSlice, (o) => (o.addressType = 'IPX')), [
    { field: 'addressType', reason: 'FieldValueNotSupported', message: 'Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"' },
  ]],
  ['a lease of zero seconds', edited(m.nodeLease, (o) => (o.spec.leaseDurationSeconds = 0)), [
    { field: 'spec.leaseDurationSeconds', reason: 'FieldValueInvalid', message: 'Invalid value: 0: must be greater than 0' },
  ]],
  ['a node taint with an unknown effect', edited(m.workerNode, (o) => (o.spec.taints = [{ key: 'dedicated', value: 'db', effect: 'Never' }])), [
    { field: 'spec.taints[0].effect', reason: 'FieldValueNotSupported', message: 'Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"' },
  ]],
  ['a pod spec that is a string', edited(m.nginxPod, (o) => (o.spec = 'x')), [
    { field: 'spec', reason: 'FieldValueTypeInvalid', message: 'Invalid value: "x": must be of type object' },
    { field: 'spec.containers', reason: 'FieldValueRequired', message: 'Required value' },
  ]],
  ['containers given as an object', edited(m.nginxPod, (o) => (o.spec.containers = { name: 'nginx' })), [
    { field: 'spec.containers', reason: 'FieldValueTypeInvalid', message: 'Invalid value: {"name":"nginx"}: must be of type array' },
    { field: 'spec.containers', reason: 'FieldValueRequired', message: 'Required value' },
  ]],
];

describe('validateCreate', () => {
  it.each(CASES)('%s', (_name, obj, want) => {
    expect(create(obj)).toEqual(want);
  });

  it('produces the message kubectl prints for a selector mismatch', () => {
    const causes = create(edited(m.mysqlDeployment, (o) => (o.spec.selector.matchLabels.app = 'db')));
    expect(errors.invalid('apps', 'Deployment', 'mysql', causes).message).toBe(
      'Deployment.apps "mysql" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"mysql"}: `selector` does not match template `labels`',
    );
  });

  it('accepts StatefulSet volume mounts that name a volumeClaimTemplate', () => {
    expect(create(m.webStatefulSet())).toEqual([]);
  });

  it('rejects a StatefulSet mount that names neither a volume nor a claim template', () => {
    const causes = create(edited(m.webStatefulSet, (o) => (o.spec.volumeClaimTemplates[0].metadata.name = 'data')));
    expect(causes).toEqual([{ field: 'spec.template.spec.containers[0].volumeMounts[0].name', reason: 'FieldValueNotFound', message: 'Not found: "www"' }]);
  });

  it('requires a Job selector when manualSelector is set and none is given', () => {
    const causes = create(edited(m.piJob, (o) => (o.spec.manualSelector = true)));
    expect(causes).toEqual([{ field: 'spec.selector', reason: 'FieldValueRequired', message: 'Required value' }]);
  });

  it('refuses a selector in a CronJob job template', () => {
    const causes = create(edited(m.backupCronJob, (o) => (o.spec.jobTemplate.spec.selector = { matchLabels: { a: 'b' } })));
    expect(causes.map((c) => [c.field, c.message])).toEqual([
      ['spec.jobTemplate.spec.template.metadata.labels', 'Invalid value: map[string]string{}: `selector` does not match template `labels`'],
      ['spec.jobTemplate.spec.selector', 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated'],
    ]);
  });
});
