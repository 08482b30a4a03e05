// Container checks from pkg/apis/core/validation/validation.go: validateContainers,
// validateInitContainers, validateContainerPorts, validateEnv, validateEnvFrom,
// validateVolumeMounts, ValidateResourceRequirements and validateProbe.

import { forbidden, invalid, notFound, notSupported, required, duplicate } from './causes.ts';
import { nonNegative, oneOf, portNumOrName, qualifiedName, NEGATIVE_ERROR } from './common.ts';
import { isConfigMapKey, isDNS1123Label, isEnvVarName, isValidPortName, isValidPortNum } from './names.ts';
import { nameIsDNSSubdomain } from './objectMeta.ts';
import { parseQuantity, QUANTITY_FORMAT_ERROR } from './quantity.ts';
import { Causes, type Json, keyPath } from './shape.ts';

const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const HTTP_SCHEMES = ['HTTP', 'HTTPS'];
const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

// validEnvDownwardAPIFieldPathExpressions, sorted as upstream prints them.
const ENV_FIELD_PATHS = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
];

export type ContainerKind = 'app' | 'init' | 'ephemeral';

export interface ContainerContext {
  volumes: Set<string>;
  names: Set<string>; // container names seen so far, across init and app containers
  hostNetwork: boolean;
}

/** validateContainers / validateInitContainers: one list of containers. */
export function validateContainerList(c: Causes, list: unknown, path: string, kind: ContainerKind, ctx: ContainerContext): void {
  const items = c.arr(list, path);
  if (kind === 'app' && (!items || items.length === 0)) {
    c.add(required(path));
    return;
  }
  c.objects(list, path).forEach((ctr, i) => {
    if (ctr) validateContainer(c, ctr, `${path}[${i}]`, kind, ctx);
  });
}

function validateContainer(c: Causes, ctr: Json, p: string, kind: ContainerKind, ctx: ContainerContext): void {
  const name = c.str(ctr.name, `${p}.name`);
  if (!name) c.add(required(`${p}.name`));
  else {
    for (const msg of isDNS1123Label(name)) c.add(invalid(`${p}.name`, name, msg));
    if (ctx.names.has(name)) c.add(duplicate(`${p}.name`, name));
    ctx.names.add(name);
  }
  const image = c.str(ctr.image, `${p}.image`);
  if (!image) c.add(required(`${p}.image`));
  else if (image !== image.trim()) c.add(invalid(`${p}.image`, image, 'must not have leading or trailing whitespace'));
  c.strs(ctr.command, `${p}.command`);
  c.strs(ctr.args, `${p}.args`);
  c.str(ctr.workingDir, `${p}.workingDir`);

  validatePorts(c, ctr.ports, `${p}.ports`, ctx.hostNetwork);
  validateEnv(c, ctr.env, `${p}.env`);
  validateEnvFrom(c, ctr.envFrom, `${p}.envFrom`);
  validateVolumeMounts(c, ctr.volumeMounts, `${p}.volumeMounts`, ctx.volumes);
  validateResources(c, ctr.resources, `${p}.resources`);

  const restartPolicy = c.str(ctr.restartPolicy, `${p}.restartPolicy`);
  const sidecar = kind === 'init' && restartPolicy === 'Always';
  if (restartPolicy !== undefined) {
    if (kind !== 'init') c.add(forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
    else if (restartPolicy !== 'Always') c.add(notSupported(`${p}.restartPolicy`, restartPolicy, ['Always']));
  }
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    if (ctr[probe] === undefined || ctr[probe] === null) continue;
    if ((kind === 'init' && !sidecar) || kind === 'ephemeral') {
      c.add(forbidden(`${p}.${probe}`, kind === 'init' ? 'may not be set for init containers without restartPolicy=Always' : 'cannot be set for an Ephemeral Container'));
      continue;
    }
    const pr = c.obj(ctr[probe], `${p}.${probe}`);
    if (!pr) continue;
    validateProbe(c, pr, `${p}.${probe}`);
    // Liveness and startup probes stop at the first success, so more than one makes no sense.
    if (probe !== 'readinessProbe' && typeof pr.successThreshold === 'number' && pr.successThreshold !== 1) {
      c.add(invalid(`${p}.${probe}.successThreshold`, pr.successThreshold, 'must be 1'));
    }
  }
  const lifecycle = c.obj(ctr.lifecycle, `${p}.lifecycle`);
  for (const hook of ['postStart', 'preStop'] as const) {
    const h = c.obj(lifecycle?.[hook], `${p}.lifecycle.${hook}`);
    if (h) validateHandler(c, h, `${p}.lifecycle.${hook}`, ['exec', 'httpGet', 'tcpSocket', 'sleep']);
  }
  oneOf(c, ctr.imagePullPolicy, `${p}.imagePullPolicy`, PULL_POLICIES);
  const tmp = c.str(ctr.terminationMessagePolicy, `${p}.terminationMessagePolicy`);
  if (!tmp) c.add(required(`${p}.terminationMessagePolicy`, "must be 'File' or 'FallbackToLogsOnError'"));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
    c.add(invalid(`${p}.terminationMessagePolicy`, tmp, "must be 'File' or 'FallbackToLogsOnError'"));
  }
}

function validatePorts(c: Causes, ports: unknown, path: string, hostNetwork: boolean): void {
  const names = new Set<string>();
  c.objects(ports, path).forEach((port, i) => {
    if (!port) return;
    const p = `${path}[${i}]`;
    const name = c.str(port.name, `${p}.name`);
    if (name) {
      const msgs = isValidPortName(name);
      for (const msg of msgs) c.add(invalid(`${p}.name`, name, msg));
      if (msgs.length === 0 && names.has(name)) c.add(duplicate(`${p}.name`, name));
      names.add(name);
    }
    const containerPort = c.int(port.containerPort, `${p}.containerPort`);
    if (!containerPort) c.add(required(`${p}.containerPort`));
    else for (const msg of isValidPortNum(containerPort)) c.add(invalid(`${p}.containerPort`, containerPort, msg));
    const hostPort = c.int(port.hostPort, `${p}.hostPort`);
    if (hostPort) for (const msg of isValidPortNum(hostPort)) c.add(invalid(`${p}.hostPort`, hostPort, msg));
    // With the host's network the container port *is* the host port.
    if (hostNetwork && hostPort && containerPort && hostPort !== containerPort) {
      c.add(invalid(`${p}.hostPort`, hostPort, 'must match `containerPort` when `hostNetwork` is true'));
    }
    oneOf(c, port.protocol, `${p}.protocol`, PORT_PROTOCOLS);
  });
}

function validateEnv(c: Causes, env: unknown, path: string): void {
  c.objects(env, path).forEach((ev, i) => {
    if (!ev) return;
    const p = `${path}[${i}]`;
    const name = c.str(ev.name, `${p}.name`);
    if (!name) c.add(required(`${p}.name`));
    else for (const msg of isEnvVarName(name)) c.add(invalid(`${p}.name`, name, msg));
    const value = c.str(ev.value, `${p}.value`);
    const from = c.obj(ev.valueFrom, `${p}.valueFrom`);
    if (from) validateEnvVarSource(c, from, `${p}.valueFrom`, value ?? '');
  });
}

function validateEnvVarSource(c: Causes, from: Json, path: string, value: string): void {
  let sources = 0;
  const fieldRef = c.obj(from.fieldRef, `${path}.fieldRef`);
  if (fieldRef) {
    sources++;
    validateFieldRef(c, fieldRef, `${path}.fieldRef`);
  }
  const resourceFieldRef = c.obj(from.resourceFieldRef, `${path}.resourceFieldRef`);
  if (resourceFieldRef) {
    sources++;
    if (!c.str(resourceFieldRef.resource, `${path}.resourceFieldRef.resource`)) c.add(required(`${path}.resourceFieldRef.resource`));
  }
  for (const ref of ['configMapKeyRef', 'secretKeyRef'] as const) {
    const sel = c.obj(from[ref], `${path}.${ref}`);
    if (!sel) continue;
    sources++;
    const name = c.str(sel.name, `${path}.${ref}.name`) ?? '';
    for (const msg of nameIsDNSSubdomain(name, false)) c.add(invalid(`${path}.${ref}.name`, name, msg));
    const key = c.str(sel.key, `${path}.${ref}.key`);
    if (!key) c.add(required(`${path}.${ref}.key`));
    else for (const msg of isConfigMapKey(key)) c.add(invalid(`${path}.${ref}.key`, key, msg));
  }
  if (sources === 0) c.add(invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  else if (value !== '') c.add(invalid(path, '', 'may not be specified when `value` is not empty'));
  else if (sources > 1) c.add(invalid(path, '', 'may not have more than one field specified at a time'));
}

/** validateObjectFieldSelector for env: a pod field, or a subscripted label or annotation. */
function validateFieldRef(c: Causes, ref: Json, path: string): void {
  const apiVersion = c.str(ref.apiVersion, `${path}.apiVersion`);
  const fieldPath = c.str(ref.fieldPath, `${path}.fieldPath`);
  if (!apiVersion) c.add(required(`${path}.apiVersion`));
  if (!fieldPath) {
    c.add(required(`${path}.fieldPath`));
    return;
  }
  const sub = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fieldPath) ?? /^([^[]+)\[.*\]$/.exec(fieldPath);
  if (sub) {
    if (sub[1] === 'metadata.labels') qualifiedName(c, sub[2] ?? '', path);
    else if (sub[1] === 'metadata.annotations') qualifiedName(c, (sub[2] ?? '').toLowerCase(), path);
    else c.add(invalid(path, sub[1], 'does not support subscript'));
  } else if (!ENV_FIELD_PATHS.includes(fieldPath)) {
    c.add(notSupported(`${path}.fieldPath`, fieldPath, ENV_FIELD_PATHS));
  }
}

function validateEnvFrom(c: Causes, envFrom: unknown, path: string): void {
  c.objects(envFrom, path).forEach((ev, i) => {
    if (!ev) return;
    const p = `${path}[${i}]`;
    const prefix = c.str(ev.prefix, `${p}.prefix`);
    if (prefix) for (const msg of isEnvVarName(prefix)) c.add(invalid(`${p}.prefix`, prefix, msg));
    let sources = 0;
    for (const ref of ['configMapRef', 'secretRef'] as const) {
      const r = c.obj(ev[ref], `${p}.${ref}`);
      if (!r) continue;
      sources++;
      const name = c.str(r.name, `${p}.${ref}.name`);
      if (!name) c.add(required(`${p}.${ref}.name`));
      else for (const msg of nameIsDNSSubdomain(name, true)) c.add(invalid(`${p}.${ref}.name`, name, msg));
    }
    if (sources === 0) c.add(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) c.add(invalid(path, '', 'may not have more than one field specified at a time'));
  });
}

function validateVolumeMounts(c: Causes, mounts: unknown, path: string, volumes: Set<string>): void {
  const mountPoints = new Set<string>();
  c.objects(mounts, path).forEach((m, i) => {
    if (!m) return;
    const p = `${path}[${i}]`;
    const name = c.str(m.name, `${p}.name`) ?? '';
    if (!name) c.add(required(`${p}.name`));
    if (!volumes.has(name)) c.add(notFound(`${p}.name`, name));
    const mountPath = c.str(m.mountPath, `${p}.mountPath`) ?? '';
    if (!mountPath) c.add(required(`${p}.mountPath`));
    if (mountPoints.has(mountPath)) c.add(invalid(`${p}.mountPath`, mountPath, 'must be unique'));
    mountPoints.add(mountPath);
    const subPath = c.str(m.subPath, `${p}.subPath`);
    if (subPath) {
      if (subPath.startsWith('/')) c.add(invalid(`${p}.subPath`, subPath, 'must be a relative path'));
      if (subPath.split('/').includes('..')) c.add(invalid(`${p}.subPath`, subPath, "must not contain '..'"));
    }
    c.bool(m.readOnly, `${p}.readOnly`);
  });
}

/** Reads one quantity map (requests or limits); returns name → value for the ones that parse. */
function readQuantities(c: Causes, v: unknown, path: string): Map<string, { text: string; value: number }> {
  const out = new Map<string, { text: string; value: number }>();
  const m = c.obj(v, path);
  for (const [name, q] of Object.entries(m ?? {})) {
    const p = keyPath(path, name);
    if (name.includes('/')) qualifiedName(c, name, p);
    else if (!STANDARD_CONTAINER_RESOURCES.includes(name) && !name.startsWith('hugepages-')) {
      c.add(invalid(p, name, 'must be a standard resource for containers'));
    }
    const value = parseQuantity(q);
    if (value === undefined) {
      c.add(invalid(p, q, QUANTITY_FORMAT_ERROR));
      continue;
    }
    const text = String(q);
    if (value < 0) c.add(invalid(p, text, NEGATIVE_ERROR));
    out.set(name, { text, value });
  }
  return out;
}

/** ValidateResourceRequirements: quantities parse and no request exceeds its limit. */
export function validateResources(c: Causes, resources: unknown, path: string): void {
  const r = c.obj(resources, path);
  if (!r) return;
  const limits = readQuantities(c, r.limits, `${path}.limits`);
  const requests = readQuantities(c, r.requests, `${path}.requests`);
  for (const [name, req] of requests) {
    const lim = limits.get(name);
    if (lim && req.value > lim.value) {
      c.add(invalid(`${path}.requests`, req.text, `must be less than or equal to ${name} limit of ${lim.text}`));
    }
  }
}

function validateProbe(c: Causes, probe: Json, path: string): void {
  validateHandler(c, probe, path, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    nonNegative(c, probe[f], `${path}.${f}`);
  }
}

/** validateHandler: exactly one action (exec, httpGet, tcpSocket, grpc or sleep). */
function validateHandler(c: Causes, h: Json, path: string, kinds: string[]): void {
  let found = 0;
  for (const kind of kinds) {
    const action = c.obj(h[kind], `${path}.${kind}`);
    if (!action) continue;
    if (found > 0) {
      c.add(forbidden(`${path}.${kind}`, 'may not specify more than 1 handler type'));
      continue;
    }
    found++;
    const p = `${path}.${kind}`;
    if (kind === 'exec') {
      if (c.strs(action.command, `${p}.command`).length === 0) c.add(required(`${p}.command`));
    } else if (kind === 'httpGet') {
      if (!c.str(action.path, `${p}.path`)) c.add(required(`${p}.path`));
      portNumOrName(c, action.port, `${p}.port`);
      const scheme = c.str(action.scheme, `${p}.scheme`);
      if (scheme !== undefined && !HTTP_SCHEMES.includes(scheme)) c.add(notSupported(`${p}.scheme`, scheme, HTTP_SCHEMES));
    } else if (kind === 'tcpSocket') {
      portNumOrName(c, action.port, `${p}.port`);
    } else if (kind === 'grpc') {
      const port = c.int(action.port, `${p}.port`);
      if (port !== undefined) for (const msg of isValidPortNum(port)) c.add(invalid(`${p}.port`, port, msg));
    } else if (kind === 'sleep') {
      nonNegative(c, action.seconds, `${p}.seconds`);
    }
  }
  if (found === 0) c.add(required(path, 'must specify a handler type'));
}
