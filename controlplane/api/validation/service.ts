// Service checks from ValidateService (pkg/apis/core/validation/validation.go), plus the
// node-port range check that upstream's port allocator makes when the Service is stored.

import { GoSyntax, forbidden, invalid, notSupported, required, duplicate } from './causes.ts';
import { oneOf, optionalOneOf, portNumOrName, qualifiedName } from './common.ts';
import { ipFamilyOf, isDNS1123Label, isDNS1123Subdomain, isValidIP, isValidPortNum } from './names.ts';
import { validateLabels } from './objectMeta.ts';
import { Causes, type Json } from './shape.ts';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const IP_FAMILIES = ['IPv4', 'IPv6'];

// The apiserver's --service-node-port-range default.
export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;

export function validateService(c: Causes, obj: Json): void {
  const spec = c.obj(obj.spec, 'spec') ?? {};
  const type = oneOf(c, spec.type, 'spec.type', SERVICE_TYPES);
  const clusterIP = c.str(spec.clusterIP, 'spec.clusterIP') ?? '';
  const headless = clusterIP === 'None';
  const ports = c.objects(spec.ports, 'spec.ports');

  if (type === 'ExternalName') {
    if (clusterIP !== '') c.add(forbidden('spec.clusterIP', 'may not be set for ExternalName services'));
    const ext = c.str(spec.externalName, 'spec.externalName');
    if (!ext) c.add(required('spec.externalName'));
    else for (const msg of isDNS1123Subdomain(ext.endsWith('.') ? ext.slice(0, -1) : ext)) c.add(invalid('spec.externalName', ext, msg));
  } else if (ports.length === 0 && !headless) {
    c.add(required('spec.ports'));
  }

  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((port, i) => {
    if (!port) return;
    const p = `spec.ports[${i}]`;
    const name = c.str(port.name, `${p}.name`) ?? '';
    if (ports.length > 1 && !name) c.add(required(`${p}.name`));
    else if (name) {
      for (const msg of isDNS1123Label(name)) c.add(invalid(`${p}.name`, name, msg));
      if (names.has(name)) c.add(duplicate(`${p}.name`, name));
      names.add(name);
    }
    const num = c.int(port.port, `${p}.port`) ?? 0;
    for (const msg of isValidPortNum(num)) c.add(invalid(`${p}.port`, num, msg));
    const protocol = oneOf(c, port.protocol, `${p}.protocol`, PORT_PROTOCOLS);
    portNumOrName(c, port.targetPort, `${p}.targetPort`);
    const appProtocol = c.str(port.appProtocol, `${p}.appProtocol`);
    if (appProtocol) qualifiedName(c, appProtocol, `${p}.appProtocol`);
    const nodePort = c.int(port.nodePort, `${p}.nodePort`);
    if (nodePort) {
      if (type === 'ClusterIP') c.add(forbidden(`${p}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
      else if (nodePort < NODE_PORT_MIN || nodePort > NODE_PORT_MAX) {
        c.add(invalid(`${p}.nodePort`, nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`));
      }
    }
    // (port, protocol) pairs are unique; upstream prints the key as a Go struct.
    const key = `${num}/${protocol}`;
    if (seen.has(key)) {
      c.add(duplicate(p, new GoSyntax(
        `core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol ?? '')}, AppProtocol:(*string)(nil), Port:${num}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`,
      )));
    }
    seen.add(key);
  });

  validateLabels(c, spec.selector, 'spec.selector');
  oneOf(c, spec.sessionAffinity, 'spec.sessionAffinity', ['ClientIP', 'None']);
  validateClusterIPs(c, spec, type, clusterIP);

  // ExternallyAccessible: node ports, load balancers, or a ClusterIP with external IPs.
  const externalIPs = c.strs(spec.externalIPs, 'spec.externalIPs');
  const external = type === 'NodePort' || type === 'LoadBalancer' || (type === 'ClusterIP' && externalIPs.length > 0);
  const etp = c.str(spec.externalTrafficPolicy, 'spec.externalTrafficPolicy');
  if (!external && etp) c.add(invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  else if (external) oneOf(c, etp, 'spec.externalTrafficPolicy', TRAFFIC_POLICIES);
  // Required only where defaulting sets it; other types keep what old clients stored.
  const itp = c.str(spec.internalTrafficPolicy, 'spec.internalTrafficPolicy');
  if (itp === undefined && (type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer')) {
    c.add(required('spec.internalTrafficPolicy', 'must be specified'));
  } else if (itp !== undefined && !TRAFFIC_POLICIES.includes(itp)) {
    c.add(notSupported('spec.internalTrafficPolicy', itp, TRAFFIC_POLICIES));
  }
  const hc = c.int(spec.healthCheckNodePort, 'spec.healthCheckNodePort');
  if (hc && !(type === 'LoadBalancer' && etp === 'Local')) {
    c.add(invalid('spec.healthCheckNodePort', hc, 'may only be set when `type` is \'LoadBalancer\' and `externalTrafficPolicy` is \'Local\''));
  }
  externalIPs.forEach((ip, i) => {
    for (const msg of isValidIP(ip)) c.add(invalid(`spec.externalIPs[${i}]`, ip, msg));
  });
}

/** validateServiceClusterIPsRelatedFields: addresses well formed, families consistent. */
function validateClusterIPs(c: Causes, spec: Json, type: string | undefined, clusterIP: string): void {
  const ips = c.strs(spec.clusterIPs, 'spec.clusterIPs');
  if (clusterIP && ips.length > 0 && ips[0] !== clusterIP) {
    c.add(invalid('spec.clusterIPs', new GoSyntax(`[]string{${ips.map((x) => JSON.stringify(x)).join(', ')}}`), 'first value must match `clusterIP`'));
  }
  const all = ips.length > 0 ? ips : clusterIP ? [clusterIP] : [];
  const field = ips.length > 0 ? (i: number) => `spec.clusterIPs[${i}]` : () => 'spec.clusterIP';
  all.forEach((ip, i) => {
    if (ip === 'None') {
      if (i > 0 || all.length > 1) c.add(invalid(field(i), ip, "'None' must be the first and only value"));
      return;
    }
    for (const msg of isValidIP(ip)) c.add(invalid(field(i), ip, msg));
  });
  if (all.length > 2) c.add(invalid('spec.clusterIPs', all, 'may only hold up to 2 values'));
  if (all.length === 2 && ipFamilyOf(all[0]) && ipFamilyOf(all[0]) === ipFamilyOf(all[1])) {
    c.add(invalid('spec.clusterIPs', all, 'may specify no more than one IP for each IP family'));
  }
  const policy = optionalOneOf(c, spec.ipFamilyPolicy, 'spec.ipFamilyPolicy', IP_FAMILY_POLICIES);
  if (type === 'ExternalName' && policy) c.add(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
  const families = c.strs(spec.ipFamilies, 'spec.ipFamilies');
  families.forEach((f, i) => {
    if (!IP_FAMILIES.includes(f)) c.add(notSupported(`spec.ipFamilies[${i}]`, f, IP_FAMILIES));
    else if (families.indexOf(f) !== i) c.add(duplicate(`spec.ipFamilies[${i}]`, f));
  });
  if (type === 'ExternalName' && families.length > 0) c.add(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
}
