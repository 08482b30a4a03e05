// Patch metadata of the served kinds: for every field inside an object, how a patch or an apply
// merges it. Upstream reads this from Go struct tags (`patchStrategy:"merge" patchMergeKey:"name"`)
// for strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch, LookupPatchMeta) and from
// the OpenAPI extensions (`x-kubernetes-list-type`, `x-kubernetes-list-map-keys`) for server-side
// apply. k8ts writes the same facts as one small schema tree per kind. Only fields that differ from
// the default need an entry: by default maps merge key by key and lists are atomic (replaced whole).

/** How a list merges. `map`: items are matched by key; `set`: a list of distinct scalars; `atomic`: replaced whole. */
export type ListType = 'map' | 'set' | 'atomic';

interface SchemaNode {
  list?: ListType;
  /** Strategic merge patch key of a `map` list (patchMergeKey). */
  mergeKey?: string;
  /** Server-side apply keys of a `map` list (x-kubernetes-list-map-keys); default [mergeKey]. */
  keys?: string[];
  /** Values apply assumes for key fields left out of an item (the API defaults them). */
  keyDefaults?: Record<string, unknown>;
  /** Server-side apply treats this list as atomic although strategic merge patch merges it. */
  applyAtomic?: boolean;
  /** patchStrategy "retainKeys": a patch may send $retainKeys to clear the keys it does not name. */
  retainKeys?: boolean;
  /** Fields of the struct, or of every item when this node is a list. */
  fields?: Record<string, SchemaNode>;
}

/** A position inside an object of some kind; `field()` walks one level down. */
export interface PatchMeta {
  /** How the value here merges when it is a list. */
  readonly listType: ListType;
  /** Strategic merge patch: the key that matches items of a `map` list (patchMergeKey). */
  readonly mergeKey: string | undefined;
  /** Server-side apply: how a list at this position is tracked (a `map` list may be atomic for apply). */
  readonly applyListType: ListType;
  /** Server-side apply: the fields that identify an item of a `map` list. */
  readonly listMapKeys: readonly string[];
  readonly keyDefaults: Readonly<Record<string, unknown>>;
  /** Items here may carry $retainKeys (kubectl sends it only for these); the merge honours it anywhere, as upstream. */
  readonly retainKeys: boolean;
  /** The field `name` of this struct, or of each item when this is a list. */
  field(name: string): PatchMeta;
}

const mapList = (mergeKey: string, fields?: Record<string, SchemaNode>, more: Partial<SchemaNode> = {}): SchemaNode => ({
  list: 'map',
  mergeKey,
  fields,
  ...more,
});
const setList: SchemaNode = { list: 'set' };
const struct = (fields: Record<string, SchemaNode>): SchemaNode => ({ fields });
// Status conditions everywhere: patchStrategy merge, patchMergeKey type, listMapKey type.
const conditions = mapList('type');

// ObjectMeta (k8s.io/apimachinery/pkg/apis/meta/v1/types.go).
const objectMeta = struct({
  ownerReferences: mapList('uid'),
  finalizers: setList,
});

// Container (k8s.io/api/core/v1/types.go). Ports are keyed for apply by containerPort+protocol,
// and protocol defaults to TCP.
const container = struct({
  ports: mapList('containerPort', undefined, { keys: ['containerPort', 'protocol'], keyDefaults: { protocol: 'TCP' } }),
  env: mapList('name'),
  volumeMounts: mapList('mountPath'),
  volumeDevices: mapList('devicePath'),
});

const podSpec = struct({
  volumes: mapList('name', undefined, { retainKeys: true }),
  initContainers: { ...container, list: 'map', mergeKey: 'name' },
  containers: { ...container, list: 'map', mergeKey: 'name' },
  ephemeralContainers: { ...container, list: 'map', mergeKey: 'name' },
  imagePullSecrets: mapList('name'),
  hostAliases: mapList('ip'),
  // tolerations and readinessGates carry no patch strategy upstream: atomic.
  topologySpreadConstraints: mapList('topologyKey', undefined, { keys: ['topologyKey', 'whenUnsatisfiable'] }),
  schedulingGates: mapList('name'),
  resourceClaims: mapList('name', undefined, { retainKeys: true }),
});

const podStatus = struct({
  conditions,
  // Merged by ip for strategic merge patch, but listType=atomic for apply.
  podIPs: mapList('ip', undefined, { applyAtomic: true }),
  hostIPs: mapList('ip', undefined, { applyAtomic: true }),
});

const podTemplateSpec = struct({ metadata: objectMeta, spec: podSpec });

const jobSpec = struct({ template: podTemplateSpec });

const withStatusConditions = (spec: Record<string, SchemaNode>, status: Record<string, SchemaNode> = {}): SchemaNode =>
  struct({ metadata: objectMeta, spec: struct(spec), status: struct({ conditions, ...status }) });

const KINDS: Record<string, SchemaNode> = {
  Pod: struct({ metadata: objectMeta, spec: podSpec, status: podStatus }),
  PodTemplate: struct({ metadata: objectMeta, template: podTemplateSpec }),
  Service: struct({
    metadata: objectMeta,
    spec: struct({ ports: mapList('port', undefined, { keys: ['port', 'protocol'], keyDefaults: { protocol: 'TCP' } }) }),
    status: struct({ conditions }),
  }),
  Node: struct({
    metadata: objectMeta,
    // taints carry no patch strategy upstream: atomic. podCIDRs is a merged set.
    spec: struct({ podCIDRs: setList }),
    // addresses merge by type for strategic merge patch; apply keeps them atomic (types may repeat).
    status: struct({ conditions, addresses: mapList('type', undefined, { applyAtomic: true }) }),
  }),
  Namespace: struct({ metadata: objectMeta, status: struct({ conditions }) }),
  PersistentVolumeClaim: withStatusConditions({}),
  PersistentVolume: struct({ metadata: objectMeta }),
  ServiceAccount: struct({ metadata: objectMeta, secrets: mapList('name') }),
  Deployment: withStatusConditions({ template: podTemplateSpec }),
  ReplicaSet: withStatusConditions({ template: podTemplateSpec }),
  DaemonSet: withStatusConditions({ template: podTemplateSpec }),
  StatefulSet: withStatusConditions({ template: podTemplateSpec }), // volumeClaimTemplates: atomic
  // Job conditions merge by type for strategic merge patch, but are listType=atomic for apply.
  Job: struct({ metadata: objectMeta, spec: jobSpec, status: struct({ conditions: { ...conditions, applyAtomic: true } }) }),
  CronJob: struct({ metadata: objectMeta, spec: struct({ jobTemplate: struct({ metadata: objectMeta, spec: jobSpec }) }) }),
};

// Every other kind (ConfigMap, Secret, Event, Lease, EndpointSlice, ...) has only ObjectMeta to merge.
const OTHER_KIND: SchemaNode = struct({ metadata: objectMeta });
const EMPTY: SchemaNode = {};

class SchemaWalker implements PatchMeta {
  constructor(private readonly node: SchemaNode) {}

  get listType(): ListType {
    return this.node.list ?? 'atomic';
  }
  get mergeKey(): string | undefined {
    return this.node.list === 'map' ? this.node.mergeKey : undefined;
  }
  get applyListType(): ListType {
    return this.node.applyAtomic ? 'atomic' : this.listType;
  }
  get listMapKeys(): readonly string[] {
    if (this.node.list !== 'map') return [];
    return this.node.keys ?? (this.node.mergeKey ? [this.node.mergeKey] : []);
  }
  get keyDefaults(): Readonly<Record<string, unknown>> {
    return this.node.keyDefaults ?? {};
  }
  get retainKeys(): boolean {
    return this.node.retainKeys === true;
  }
  field(name: string): PatchMeta {
    return new SchemaWalker(this.node.fields?.[name] ?? EMPTY);
  }
}

/** The patch metadata of an object of `kind`, positioned at the object's root. */
export function patchMetaFor(kind: string): PatchMeta {
  return new SchemaWalker(KINDS[kind] ?? OTHER_KIND);
}

/** Metadata that knows nothing: maps merge, lists are atomic (a merge patch's view of the world). */
export const NO_PATCH_META: PatchMeta = new SchemaWalker(EMPTY);
