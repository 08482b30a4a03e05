// What a pod asks of a node (pkg/api/v1/resource/helpers.go PodRequests, as the scheduler uses it
// in plugins/noderesources/fit.go computePodResourceRequest):
//   sum(app containers) vs. each init container → the larger, per resource; restartable init
//   containers (sidecars) keep running, so they add to everything after them; then + overhead.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../api/validation/quantity.ts';

/** cpu in millicores, everything else in base units (bytes, counts). */
export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended and hugepages resources, by name. */
  scalar: Record<string, number>;
}

// pkg/scheduler/util/pod_resources.go: what scoring assumes for a container without requests.
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export const emptyResources = (): Resources => ({ milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: {} });

export function cloneResources(r: Resources): Resources {
  return { ...r, scalar: { ...r.scalar } };
}

/** A ResourceList ({cpu: '500m', memory: '128Mi'}) as Resources; pods are counted elsewhere. */
export function resourcesFromList(list: Record<string, unknown> | undefined): Resources {
  const r = emptyResources();
  for (const [name, q] of Object.entries(list ?? {})) {
    const v = parseQuantity(q) ?? 0;
    if (name === 'cpu') r.milliCPU = Math.ceil(v * 1000);
    else if (name === 'memory') r.memory = v;
    else if (name === 'ephemeral-storage') r.ephemeralStorage = v;
    else if (name !== 'pods' && isScalarResourceName(name)) r.scalar[name] = v;
  }
  return r;
}

/** hugepages-*, and extended resources like example.com/gpu (pkg/scheduler/util IsScalarResourceName). */
export function isScalarResourceName(name: string): boolean {
  return name.startsWith('hugepages-') || (name.includes('/') && !name.startsWith('kubernetes.io/'));
}

export function addResources(into: Resources, r: Resources, sign = 1): void {
  into.milliCPU += sign * r.milliCPU;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  for (const [k, v] of Object.entries(r.scalar)) into.scalar[k] = (into.scalar[k] ?? 0) + sign * v;
}

function maxResources(into: Resources, r: Resources): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  for (const [k, v] of Object.entries(r.scalar)) into.scalar[k] = Math.max(into.scalar[k] ?? 0, v);
}

type ContainerRequests = (c: Container) => Resources;

const declaredRequests: ContainerRequests = (c) => resourcesFromList(c.resources?.requests);

/** Requests with the scoring defaults filled in for cpu and memory left unset (GetNonzeroRequests). */
const nonZeroRequests: ContainerRequests = (c) => {
  const r = resourcesFromList(c.resources?.requests);
  const req = c.resources?.requests ?? {};
  if (!('cpu' in req)) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
  if (!('memory' in req)) r.memory = DEFAULT_MEMORY_REQUEST;
  return r;
};

function podRequestsWith(pod: Pod, requestsOf: ContainerRequests): Resources {
  const total = emptyResources();
  for (const c of pod.spec?.containers ?? []) addResources(total, requestsOf(c));
  // Init containers run one at a time before the app containers, but sidecars started earlier
  // keep running alongside the later ones and alongside the app containers.
  const sidecars = emptyResources();
  const initPeak = emptyResources();
  for (const c of pod.spec?.initContainers ?? []) {
    const r = requestsOf(c);
    if (c.restartPolicy === 'Always') {
      addResources(sidecars, r);
      maxResources(initPeak, sidecars);
    } else {
      const during = cloneResources(sidecars);
      addResources(during, r);
      maxResources(initPeak, during);
    }
  }
  addResources(total, sidecars);
  maxResources(total, initPeak);
  if (pod.spec?.overhead) addResources(total, resourcesFromList(pod.spec.overhead));
  return total;
}

const requestCache = new WeakMap<Pod, { declared: Resources; nonZero: Resources }>();

function cached(pod: Pod) {
  let c = requestCache.get(pod);
  if (!c) {
    c = { declared: podRequestsWith(pod, declaredRequests), nonZero: podRequestsWith(pod, nonZeroRequests) };
    requestCache.set(pod, c);
  }
  return c;
}

/** What the pod requests, as NodeResourcesFit checks it against allocatable. */
export const podRequests = (pod: Pod): Resources => cached(pod).declared;

/** The same with 100m / 200Mi for containers that request nothing: what scoring counts. */
export const podNonZeroRequests = (pod: Pod): Resources => cached(pod).nonZero;
