// The protobuf schema of the kinds the API server serves: for every message, field number →
// where the value goes in the JSON object and how to read it.
//
// Kubernetes generates its .proto files from the Go types (go-to-protobuf), so a field's number
// and name are in its Go struct tag, `protobuf:"bytes,2,opt,name=spec"`, and the proto name is
// the JSON name. The tables in messages/*.ts write one field as a short string:
//
//   'json: type'
//     type  string | int32 | int64 | bool | bytes | double          a scalar
//           Time | MicroTime | Quantity | IntOrString | FieldsV1 | RawExtension
//                                                                    a well-known type (wellKnown.ts)
//           core.PodSpec                                             another message of these tables
//           []T                                                      repeated T
//           map[T]                                                   map<string, T>
//     '*' before a scalar type: JSON has the field even when it is zero — a Go pointer
//           (`*int32`: replicas: 0 is meaningful) or a field without omitempty. Without '*' a
//           zero scalar ("", 0, false) is left out, as Go's omitempty does: the protobuf encoder
//           writes every non-pointer field, set or not.
//     json '...': an embedded struct (Go `json:",inline"`, e.g. Volume's VolumeSource): its
//           fields go into the enclosing JSON object.

import { RESOURCES, findKind } from '../../api/resources.ts';
import { APPS_V1 } from './messages/apps.ts';
import { BATCH_V1 } from './messages/batch.ts';
import { CORE_V1 } from './messages/core.ts';
import { CORE_V1_POD } from './messages/corePod.ts';
import { CORE_V1_VOLUMES } from './messages/coreVolumes.ts';
import { META_V1 } from './messages/meta.ts';
import { OTHER_GROUPS } from './messages/otherGroups.ts';
import { WELL_KNOWN_TYPES, type WellKnownType } from './wellKnown.ts';

/** Message name ('apps.DeploymentSpec') → field number → 'json: type'. */
export type MessageTable = Record<string, Record<number, string>>;

export type ScalarType = 'string' | 'int32' | 'int64' | 'bool' | 'bytes' | 'double';
const SCALAR_TYPES: readonly ScalarType[] = ['string', 'int32', 'int64', 'bool', 'bytes', 'double'];

export type ValueType =
  | { kind: 'scalar'; scalar: ScalarType }
  | { kind: 'wellKnown'; name: WellKnownType }
  | { kind: 'message'; name: string };

export interface FieldSpec {
  json: string;
  /** Embedded struct: decode its fields into the enclosing object. */
  inline: boolean;
  /** Keep zero scalars in the JSON (pointer fields and fields without omitempty). */
  keepZero: boolean;
  shape: 'single' | 'repeated' | 'map';
  value: ValueType;
}

export type MessageSchema = ReadonlyMap<number, FieldSpec>;

/** Parses one 'json: type' entry of a message table. */
export function parseFieldSpec(text: string): FieldSpec {
  const match = /^([A-Za-z][\w]*|\.\.\.): (\*)?(\[\]|map\[)?([\w.]+)(\])?$/.exec(text);
  if (!match || (match[3] === 'map[') !== (match[5] === ']')) throw new Error(`malformed protobuf field spec '${text}'`);
  const [, json, star, wrapper, typeName] = match;
  const shape = wrapper === '[]' ? 'repeated' : wrapper === 'map[' ? 'map' : 'single';
  let value: ValueType;
  if ((SCALAR_TYPES as readonly string[]).includes(typeName)) value = { kind: 'scalar', scalar: typeName as ScalarType };
  else if ((WELL_KNOWN_TYPES as readonly string[]).includes(typeName)) value = { kind: 'wellKnown', name: typeName as WellKnownType };
  else if (typeName.includes('.')) value = { kind: 'message', name: typeName };
  else throw new Error(`unknown type '${typeName}' in protobuf field spec '${text}'`);
  if (star && value.kind !== 'scalar') throw new Error(`'*' applies to scalars only: '${text}'`);
  const inline = json === '...';
  if (inline && (value.kind !== 'message' || shape !== 'single')) throw new Error(`only a single message can be inline: '${text}'`);
  return { json, inline, keepZero: star === '*', shape, value };
}

function compile(tables: MessageTable[]): Map<string, MessageSchema> {
  const out = new Map<string, MessageSchema>();
  for (const table of tables) {
    for (const [name, fields] of Object.entries(table)) {
      if (out.has(name)) throw new Error(`protobuf message ${name} is defined twice`);
      out.set(name, new Map(Object.entries(fields).map(([num, spec]) => [Number(num), parseFieldSpec(spec)])));
    }
  }
  return out;
}

const MESSAGES = compile([META_V1, CORE_V1, CORE_V1_POD, CORE_V1_VOLUMES, APPS_V1, BATCH_V1, OTHER_GROUPS]);

export function messageSchema(name: string): MessageSchema | undefined {
  return MESSAGES.get(name);
}

export function messageNames(): string[] {
  return [...MESSAGES.keys()];
}

// API group → the prefix of its messages in the tables.
const GROUP_PREFIX: Record<string, string> = {
  '': 'core',
  apps: 'apps',
  batch: 'batch',
  'discovery.k8s.io': 'discovery',
  'coordination.k8s.io': 'coordination',
  'events.k8s.io': 'events',
  policy: 'policy',
  autoscaling: 'autoscaling',
};

// meta/v1 kinds that every group version registers (metav1.AddToGroupVersion), so a
// DeleteOptions body arrives as "v1", "apps/v1", "policy/v1" ... alike.
const META_KINDS: Record<string, string> = { DeleteOptions: 'meta.DeleteOptions' };

/** Request bodies of subresources: Binding, Eviction, Scale (resources.ts lists them). */
function isSubresourceKind(group: string, version: string, kind: string): boolean {
  return RESOURCES.some((r) => r.subresources.some((s) => s.responseKind.group === group && s.responseKind.version === version && s.responseKind.kind === kind));
}

/**
 * The message of a top-level object, from the envelope's apiVersion and kind; undefined when
 * the API server does not serve that kind (or serves it without a protobuf schema).
 */
export function messageForKind(apiVersion: string, kind: string): string | undefined {
  if (Object.hasOwn(META_KINDS, kind) && apiVersion !== '') return META_KINDS[kind];
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  if (!Object.hasOwn(GROUP_PREFIX, group)) return undefined;
  const prefix = GROUP_PREFIX[group];
  if (!findKind(apiVersion, kind) && !isSubresourceKind(group, version, kind)) return undefined;
  const name = `${prefix}.${kind}`;
  return MESSAGES.has(name) ? name : undefined;
}
