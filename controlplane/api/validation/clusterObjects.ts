// Checks for the smaller kinds: Namespace, Node, Event (core/v1 and events.k8s.io/v1),
// Endpoints, EndpointSlice, Lease, ServiceAccount and Binding
// (pkg/apis/core/validation, pkg/apis/discovery/validation, pkg/apis/coordination/validation).

import { duplicate, invalid, notSupported, required } from './causes.ts';
import { nonNegative, oneOf, qualifiedName } from './common.ts';
import { ipFamilyOf, isDNS1123Label, isDNS1123Subdomain, isValidCIDR, isValidIP, isValidLabelValue, isValidPortNum } from './names.ts';
import { validateFinalizers } from './objectMeta.ts';
import { parseQuantity, QUANTITY_FORMAT_ERROR } from './quantity.ts';
import { Causes, type Json, keyPath } from './shape.ts';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
// Length limits on events (pkg/apis/core/validation/events.go).
const EVENT_FIELD_LIMIT = 128;
const EVENT_NOTE_LIMIT = 1024;

export function validateNamespace(c: Causes, obj: Json): void {
  const spec = c.obj(obj.spec, 'spec') ?? {};
  validateFinalizers(c, spec.finalizers, 'spec.finalizers', false);
}

export function validateNode(c: Causes, obj: Json): void {
  const spec = c.obj(obj.spec, 'spec') ?? {};
  const cidrs = c.strs(spec.podCIDRs, 'spec.podCIDRs');
  cidrs.forEach((cidr, i) => {
    for (const msg of isValidCIDR(cidr)) c.add(invalid(`spec.podCIDRs[${i}]`, cidr, msg));
  });
  if (cidrs.length > 2) c.add(invalid('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family'));
  const podCIDR = c.str(spec.podCIDR, 'spec.podCIDR');
  if (podCIDR && cidrs.length === 0) for (const msg of isValidCIDR(podCIDR)) c.add(invalid('spec.podCIDR', podCIDR, msg));
  c.bool(spec.unschedulable, 'spec.unschedulable');

  const seen = new Set<string>();
  c.objects(spec.taints, 'spec.taints').forEach((t, i) => {
    if (!t) return;
    const p = `spec.taints[${i}]`;
    const key = c.str(t.key, `${p}.key`) ?? '';
    if (!key) c.add(required(`${p}.key`));
    else qualifiedName(c, key, `${p}.key`);
    const value = c.str(t.value, `${p}.value`) ?? '';
    for (const msg of isValidLabelValue(value)) c.add(invalid(`${p}.value`, value, msg));
    const effect = oneOf(c, t.effect, `${p}.effect`, TAINT_EFFECTS) ?? '';
    const pair = `${key}\u0000${effect}`;
    if (seen.has(pair)) c.add(duplicate(p, 'taints must be unique by key and effect pair'));
    seen.add(pair);
  });

  const status = c.obj(obj.status, 'status') ?? {};
  for (const f of ['capacity', 'allocatable'] as const) {
    const m = c.obj(status[f], `status.${f}`) ?? {};
    for (const [name, q] of Object.entries(m)) {
      const v = parseQuantity(q);
      if (v === undefined) c.add(invalid(keyPath(`status.${f}`, name), q, QUANTITY_FORMAT_ERROR));
      else if (v < 0) c.add(invalid(keyPath(`status.${f}`, name), String(q), 'must be greater than or equal to 0'));
    }
  }
}

function limitLength(c: Causes, v: string | undefined, path: string, limit: number): void {
  if (v && v.length > limit) c.add(invalid(path, '', `can have at most ${limit} characters`));
}

/** core/v1 Event (legacyValidateEvent): the event lives in its object's namespace. */
export function validateCoreEvent(c: Causes, obj: Json): void {
  const meta = (obj.metadata ?? {}) as Json;
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : '';
  const involved = c.obj(obj.involvedObject, 'involvedObject') ?? {};
  const involvedNs = c.str(involved.namespace, 'involvedObject.namespace') ?? '';
  const eventTime = c.str(obj.eventTime, 'eventTime');
  if (!eventTime) {
    // Cluster-scoped objects' events live in "default" (or no namespace) for old clients.
    const ok = involvedNs === '' ? namespace === '' || namespace === 'default' : namespace === involvedNs;
    if (!ok) c.add(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
  } else {
    if (involvedNs === '' && namespace !== 'default' && namespace !== 'kube-system') {
      c.add(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    }
    validateReporting(c, obj, 'source');
  }
  c.int(obj.count, 'count');
}

/** Fields every "new" event carries: who reported it, doing what, and why. */
function validateReporting(c: Causes, obj: Json, controllerField: string): void {
  const controller = c.str(obj.reportingController, 'reportingController');
  if (!controller) c.add(required(controllerField));
  else qualifiedName(c, controller, controllerField);
  const instance = c.str(obj.reportingInstance, 'reportingInstance');
  if (!instance) c.add(required('reportingInstance'));
  limitLength(c, instance, 'reportingInstance', EVENT_FIELD_LIMIT);
  const action = c.str(obj.action, 'action');
  if (!action) c.add(required('action'));
  limitLength(c, action, 'action', EVENT_FIELD_LIMIT);
  const reason = c.str(obj.reason, 'reason');
  if (!reason) c.add(required('reason'));
  limitLength(c, reason, 'reason', EVENT_FIELD_LIMIT);
}

/** events.k8s.io/v1 Event: eventTime, type and the reporting fields are required. */
export function validateEventsV1Event(c: Causes, obj: Json): void {
  if (!c.str(obj.eventTime, 'eventTime')) c.add(required('eventTime'));
  const type = c.str(obj.type, 'type') ?? '';
  if (type !== 'Normal' && type !== 'Warning') c.add(invalid('type', '', `has invalid value: ${type}`));
  validateReporting(c, obj, 'reportingController');
  limitLength(c, c.str(obj.note, 'note'), 'note', EVENT_NOTE_LIMIT);
  c.obj(obj.regarding, 'regarding');
}

function validateAddress(c: Causes, addr: string, type: string, path: string): void {
  if (type === 'IPv4' && ipFamilyOf(addr) !== 'IPv4') c.add(invalid(path, addr, 'must be a valid IPv4 address'));
  else if (type === 'IPv6' && ipFamilyOf(addr) !== 'IPv6') c.add(invalid(path, addr, 'must be a valid IPv6 address'));
  else if (type === 'FQDN') for (const msg of isDNS1123Subdomain(addr)) c.add(invalid(path, addr, msg));
}

export function validateEndpointSlice(c: Causes, obj: Json): void {
  const addressType = c.str(obj.addressType, 'addressType');
  if (!addressType) c.add(required('addressType'));
  else if (!ADDRESS_TYPES.includes(addressType)) c.add(notSupported('addressType', addressType, ADDRESS_TYPES));
  c.objects(obj.endpoints, 'endpoints').forEach((ep, i) => {
    if (!ep) return;
    const p = `endpoints[${i}]`;
    const addrs = c.strs(ep.addresses, `${p}.addresses`);
    if (addrs.length === 0) c.add(required(`${p}.addresses`, 'must contain at least 1 address'));
    addrs.forEach((a, j) => validateAddress(c, a, addressType ?? '', `${p}.addresses[${j}]`));
    const hostname = c.str(ep.hostname, `${p}.hostname`);
    if (hostname) for (const msg of isDNS1123Label(hostname)) c.add(invalid(`${p}.hostname`, hostname, msg));
    const nodeName = c.str(ep.nodeName, `${p}.nodeName`);
    if (nodeName) for (const msg of isDNS1123Subdomain(nodeName)) c.add(invalid(`${p}.nodeName`, nodeName, msg));
    const cond = c.obj(ep.conditions, `${p}.conditions`) ?? {};
    for (const f of ['ready', 'serving', 'terminating']) c.bool(cond[f], `${p}.conditions.${f}`);
  });
  const names = new Set<string>();
  c.objects(obj.ports, 'ports').forEach((port, i) => {
    if (!port) return;
    const p = `ports[${i}]`;
    const name = c.str(port.name, `${p}.name`) ?? '';
    if (name) for (const msg of isDNS1123Label(name)) c.add(invalid(`${p}.name`, name, msg));
    if (names.has(name)) c.add(duplicate(`${p}.name`, name));
    names.add(name);
    oneOf(c, port.protocol, `${p}.protocol`, PORT_PROTOCOLS);
    const num = c.int(port.port, `${p}.port`);
    if (num !== undefined) for (const msg of isValidPortNum(num)) c.add(invalid(`${p}.port`, num, msg));
  });
}

/** core/v1 Endpoints: addresses are IPs, ports named when there are several. */
export function validateEndpoints(c: Causes, obj: Json): void {
  c.objects(obj.subsets, 'subsets').forEach((s, i) => {
    if (!s) return;
    const p = `subsets[${i}]`;
    for (const f of ['addresses', 'notReadyAddresses'] as const) {
      c.objects(s[f], `${p}.${f}`).forEach((a, j) => {
        if (!a) return;
        const ip = c.str(a.ip, `${p}.${f}[${j}].ip`) ?? '';
        for (const msg of isValidIP(ip)) c.add(invalid(`${p}.${f}[${j}].ip`, ip, msg));
      });
    }
    const ports = c.objects(s.ports, `${p}.ports`);
    ports.forEach((port, j) => {
      if (!port) return;
      const pp = `${p}.ports[${j}]`;
      const name = c.str(port.name, `${pp}.name`) ?? '';
      if (ports.length > 1 && !name) c.add(required(`${pp}.name`));
      else if (name) for (const msg of isDNS1123Label(name)) c.add(invalid(`${pp}.name`, name, msg));
      const num = c.int(port.port, `${pp}.port`) ?? 0;
      for (const msg of isValidPortNum(num)) c.add(invalid(`${pp}.port`, num, msg));
      oneOf(c, port.protocol, `${pp}.protocol`, PORT_PROTOCOLS);
    });
  });
}

export function validateLease(c: Causes, obj: Json): void {
  const spec = c.obj(obj.spec, 'spec') ?? {};
  const duration = c.int(spec.leaseDurationSeconds, 'spec.leaseDurationSeconds');
  if (duration !== undefined && duration <= 0) c.add(invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  nonNegative(c, spec.leaseTransitions, 'spec.leaseTransitions');
  c.str(spec.holderIdentity, 'spec.holderIdentity');
  c.str(spec.acquireTime, 'spec.acquireTime');
  c.str(spec.renewTime, 'spec.renewTime');
}

export function validateServiceAccount(c: Causes, obj: Json): void {
  c.objects(obj.secrets, 'secrets');
  c.bool(obj.automountServiceAccountToken, 'automountServiceAccountToken');
}

/** ValidatePodBinding: the pods/binding subresource names a Node. */
export function validateBinding(c: Causes, obj: Json): void {
  const target = c.obj(obj.target, 'target') ?? {};
  const kind = c.str(target.kind, 'target.kind');
  if (kind && kind !== 'Node') c.add(notSupported('target.kind', kind, ['Node', '<empty>']));
  if (!c.str(target.name, 'target.name')) c.add(required('target.name'));
}
