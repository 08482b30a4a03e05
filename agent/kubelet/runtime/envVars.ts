// A container's environment (upstream kubelet_pods.go makeEnvironmentVariables): envFrom
// (configMapRef/secretRef, with prefix), then env (value with $(VAR) expansion, or valueFrom
// fieldRef/resourceFieldRef/configMapKeyRef/secretKeyRef), then Service variables for names
// not already set. Also the $(VAR) expansion of command and args.
import type { Container, EnvVar, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../../controlplane/api/validation/quantity.ts';
import type { ObjectLookup } from './types.ts';

/** A required ConfigMap/Secret/key is missing: the container waits with CreateContainerConfigError. */
export class EnvConfigError extends Error {
  override readonly name = 'EnvConfigError';
}

/** What the environment depends on besides the pod and its referenced objects. */
export interface EnvContext {
  /** The node's address (status.hostIP). */
  hostIPs: string[];
  /** The sandbox's addresses (status.podIP). */
  podIPs: string[];
  /** Node allocatable, used for limits.cpu/limits.memory when the container sets none. */
  nodeAllocatable: { cpu: number; memory: number; 'ephemeral-storage'?: number };
  /** Service variables already selected for the pod (serviceEnv.ts serviceEnvVars). */
  serviceEnv: Map<string, string>;
}

const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * Kubernetes' $(VAR) expansion (third_party/forked/golang/expansion): `$(NAME)` becomes the
 * variable's value when defined and stays as written when not; `$$` is a literal `$`.
 */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const nextCh = input[i + 1];
    if (nextCh === '$') {
      out += '$';
      i++;
    } else if (nextCh === '(') {
      const close = input.indexOf(')', i + 2);
      if (close === -1) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const value = lookup(name);
      out += value !== undefined ? value : `$(${name})`;
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

/** metadata.labels['app'] → ['labels', 'app'] */
function subscript(path: string): { field: string; key: string } | undefined {
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  return m ? { field: m[1], key: m[2] } : undefined;
}

/** Upstream podFieldSelectorRuntimeValue + fieldpath.ExtractFieldPathAsString. */
export function podFieldValue(pod: Pod, fieldPath: string, ctx: Pick<EnvContext, 'hostIPs' | 'podIPs'>): string {
  const sub = subscript(fieldPath);
  if (sub) {
    const map = sub.field === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[sub.key] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return ctx.hostIPs[0] ?? '';
    case 'status.hostIPs':
      return ctx.hostIPs.join(',');
    case 'status.podIP':
      return ctx.podIPs[0] ?? '';
    case 'status.podIPs':
      return ctx.podIPs.join(',');
    default:
      throw new EnvConfigError(`unsupported fieldPath: ${fieldPath}`);
  }
}

/**
 * Upstream ExtractResourceValueByContainerNameAndNodeAllocatable: limits default to the node's
 * allocatable; the value is divided by the divisor and rounded up.
 */
export function resourceFieldValue(container: Container, ref: ResourceFieldSelector, allocatable: EnvContext['nodeAllocatable']): string {
  const divisor = parseQuantity(ref.divisor ?? '1') || 1;
  const [kind, resource] = ref.resource.split('.', 2) as ['limits' | 'requests', string];
  const values = kind === 'limits' ? container.resources?.limits : container.resources?.requests;
  let value = parseQuantity(values?.[resource]);
  if (value === undefined && kind === 'limits') value = allocatable[resource as keyof typeof allocatable];
  if (value === undefined) value = 0;
  if (!['cpu', 'memory', 'ephemeral-storage'].includes(resource) || (kind !== 'limits' && kind !== 'requests')) {
    throw new EnvConfigError(`unsupported container resource: ${ref.resource}`);
  }
  // CPU is compared in millicores like upstream (MilliValue), so "1m" divisors stay exact.
  if (resource === 'cpu') return String(Math.ceil(Math.round(value * 1000) / Math.round(divisor * 1000)));
  return String(Math.ceil(value / divisor));
}

export interface ResolvedEnv {
  env: { key: string; value: string }[];
  /** envFrom keys skipped because they are not valid variable names (InvalidEnvironmentVariableNames). */
  invalidKeys: string[];
}

export async function makeEnvironmentVariables(pod: Pod, container: Container, lookup: ObjectLookup, ctx: EnvContext): Promise<ResolvedEnv> {
  const ns = pod.metadata?.namespace ?? 'default';
  const env = new Map<string, string>();
  const invalidKeys: string[] = [];

  // Step 1: envFrom, in order; later sources override earlier ones.
  for (const source of container.envFrom ?? []) {
    const prefix = source.prefix ?? '';
    let data: Record<string, string> | undefined;
    if (source.configMapRef) {
      const cm = await lookup.getConfigMap(ns, source.configMapRef.name ?? '');
      if (!cm) {
        if (source.configMapRef.optional) continue;
        throw new EnvConfigError(`configmap "${source.configMapRef.name}" not found`);
      }
      data = cm.data ?? {};
    } else if (source.secretRef) {
      const secret = await lookup.getSecret(ns, source.secretRef.name ?? '');
      if (!secret) {
        if (source.secretRef.optional) continue;
        throw new EnvConfigError(`secret "${source.secretRef.name}" not found`);
      }
      data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    }
    for (const [k, v] of Object.entries(data ?? {})) {
      const key = prefix + k;
      if (!ENV_VAR_NAME.test(key)) {
        invalidKeys.push(key);
        continue;
      }
      env.set(key, v);
    }
  }

  // Step 2: env, each value expanded against what is defined so far and the Service variables.
  const mapping = (name: string) => env.get(name) ?? ctx.serviceEnv.get(name);
  for (const e of container.env ?? []) {
    env.set(e.name, await envValue(pod, container, e, lookup, ctx, mapping));
  }

  // Step 3: Service variables, unless the container set the same name itself.
  for (const [k, v] of ctx.serviceEnv) if (!env.has(k)) env.set(k, v);

  return { env: [...env].map(([key, value]) => ({ key, value })), invalidKeys };
}

async function envValue(
  pod: Pod,
  container: Container,
  e: EnvVar,
  lookup: ObjectLookup,
  ctx: EnvContext,
  mapping: (name: string) => string | undefined,
): Promise<string> {
  const ns = pod.metadata?.namespace ?? 'default';
  const from = e.valueFrom;
  if (!from) return expand(e.value ?? '', mapping);
  if (from.fieldRef) return podFieldValue(pod, from.fieldRef.fieldPath, ctx);
  if (from.resourceFieldRef) {
    const target = from.resourceFieldRef.containerName
      ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === from.resourceFieldRef!.containerName)
      : container;
    if (!target) throw new EnvConfigError(`container "${from.resourceFieldRef.containerName}" not found in pod`);
    return resourceFieldValue(target, from.resourceFieldRef, ctx.nodeAllocatable);
  }
  if (from.configMapKeyRef) {
    const ref = from.configMapKeyRef;
    const cm = await lookup.getConfigMap(ns, ref.name ?? '');
    if (!cm) {
      if (ref.optional) return '';
      throw new EnvConfigError(`configmap "${ref.name}" not found`);
    }
    const value = cm.data?.[ref.key];
    if (value === undefined) {
      if (ref.optional) return '';
      throw new EnvConfigError(`couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}`);
    }
    return value;
  }
  if (from.secretKeyRef) {
    const ref = from.secretKeyRef;
    const secret = await lookup.getSecret(ns, ref.name ?? '');
    if (!secret) {
      if (ref.optional) return '';
      throw new EnvConfigError(`secret "${ref.name}" not found`);
    }
    const value = secret.data?.[ref.key];
    if (value === undefined) {
      if (ref.optional) return '';
      throw new EnvConfigError(`couldn't find key ${ref.key} in Secret ${ns}/${ref.name}`);
    }
    return Buffer.from(value, 'base64').toString('utf8');
  }
  return '';
}

/** Upstream ExpandContainerCommandAndArgs: $(VAR) in command and args, from the final environment. */
export function expandCommandAndArgs(container: Container, env: { key: string; value: string }[]): { command: string[]; args: string[] } {
  const vars = new Map(env.map((e) => [e.key, e.value]));
  const mapping = (name: string) => vars.get(name);
  return {
    command: (container.command ?? []).map((c) => expand(c, mapping)),
    args: (container.args ?? []).map((a) => expand(a, mapping)),
  };
}
