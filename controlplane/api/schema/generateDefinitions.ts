// Builds definitions.json: the OpenAPI v3 schemas (components.schemas, upstream names such as
// io.k8s.api.core.v1.PodSpec) of every kind the API server serves and of everything they reach.
//
// Run after upgrading the packages it reads:  npx tsx controlplane/api/schema/generateDefinitions.ts
//
// Two npm packages, both generated from the upstream OpenAPI spec, each keep part of it:
//   - @kubernetes/client-node models: every field with its JSON type and OpenAPI format (int32,
//     int64, byte, date-time, int-or-string) and property descriptions — but class names lose the
//     API group (V1PodSpec), and fields whose type is another definition lose their description.
//   - kubernetes-types: one file per group-version (core/v1.d.ts), so it tells the group of each
//     definition, marks Quantity, Time and MicroTime fields, and keeps every description.
// Together they give back the upstream schema closely enough for `kubectl explain` and for the
// strict field validation that `kubectl apply` asks the server to do.

import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { RESOURCES, groupVersions } from '../resources.ts';
import { type Schema, COMMON_ROOTS, HAND_WRITTEN, QUANTITY, INT_OR_STRING, TIME, MICRO_TIME, STATUS, DELETE_OPTIONS, WATCH_EVENT, ref, definitionName, topLevelKinds } from './upstreamNames.ts';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

interface KtProperty { typeText: string; description: string }
interface KtDefinition { name: string; description: string; properties: Map<string, KtProperty> }

/** kubernetes-types file path (without .d.ts) → upstream package prefix. */
function ktPackage(file: string): string {
  if (file === 'meta/v1') return 'io.k8s.apimachinery.pkg.apis.meta.v1';
  if (file === 'api/resource') return 'io.k8s.apimachinery.pkg.api.resource';
  if (file === 'runtime') return 'io.k8s.apimachinery.pkg.runtime';
  if (file === 'version') return 'io.k8s.apimachinery.pkg.version';
  if (file.startsWith('apiextensions/')) return `io.k8s.apiextensions-apiserver.pkg.apis.${file.replace('/', '.')}`;
  if (file.startsWith('apiregistration/')) return `io.k8s.kube-aggregator.pkg.apis.${file.replace('/', '.')}`;
  return `io.k8s.api.${file.replace('/', '.')}`;
}

function jsDocOf(node: ts.Node): string {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc;
  if (!docs?.length) return '';
  const c = docs[docs.length - 1].comment;
  return (typeof c === 'string' ? c : (c ?? []).map((p) => p.text).join('')).trim();
}

function walkDts(dir: string, visit: (file: string) => void, base = dir): void {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) walkDts(p, visit, base);
    else if (entry.endsWith('.d.ts')) visit(relative(base, p));
  }
}

/** Every interface of kubernetes-types, by upstream name. */
function readKubernetesTypes(): Map<string, KtDefinition> {
  const root = dirname(require.resolve('kubernetes-types/package.json'));
  const out = new Map<string, KtDefinition>();
  walkDts(root, (rel) => {
    const pkg = ktPackage(rel.replace(/\.d\.ts$/, ''));
    const src = ts.createSourceFile(rel, readFileSync(join(root, rel), 'utf8'), ts.ScriptTarget.Latest, true);
    for (const st of src.statements) {
      if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) {
        const properties = new Map<string, KtProperty>();
        if (ts.isInterfaceDeclaration(st)) {
          for (const m of st.members) {
            if (ts.isPropertySignature(m) && m.name) {
              properties.set(m.name.getText(src).replace(/^['"]|['"]$/g, ''), { typeText: m.type?.getText(src) ?? '', description: jsDocOf(m) });
            }
          }
        }
        out.set(`${pkg}.${st.name.text}`, { name: st.name.text, description: jsDocOf(st), properties });
      }
    }
  });
  return out;
}

interface CnAttribute { name: string; baseName: string; type: string; format: string }
interface CnClass { className: string; description: string; attributes: CnAttribute[]; descriptions: Map<string, string>; required: Set<string> }

/** Every model class of @kubernetes/client-node with its attributes, descriptions and required fields. */
async function readClientNode(): Promise<Map<string, CnClass>> {
  const k8s = (await import('@kubernetes/client-node')) as unknown as Record<string, { attributeTypeMap?: CnAttribute[] }>;
  const modelsDir = join(dirname(require.resolve('@kubernetes/client-node')), 'gen', 'models');
  const out = new Map<string, CnClass>();
  for (const [className, cls] of Object.entries(k8s)) {
    if (!cls?.attributeTypeMap) continue;
    const descriptions = new Map<string, string>();
    const required = new Set<string>();
    let description = '';
    const path = join(modelsDir, `${className}.d.ts`);
    try {
      const src = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
      for (const st of src.statements) {
        if (!ts.isClassDeclaration(st)) continue;
        description = jsDocOf(st);
        for (const m of st.members) {
          if (!ts.isPropertyDeclaration(m) || m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) continue;
          const name = m.name.getText(src).replace(/^['"]|['"]$/g, '');
          descriptions.set(name, jsDocOf(m));
          if (!m.questionToken) required.add(name);
        }
      }
    } catch {
      // a class without its own .d.ts keeps no descriptions
    }
    out.set(className, { className, description, attributes: cls.attributeTypeMap, descriptions, required });
  }
  return out;
}

/** "CoreV1EndpointPort" → {pkg:'core', version:'v1', name:'EndpointPort'}; "V1PodSpec" → {version:'v1', name:'PodSpec'}. */
function splitClassName(className: string): { pkg?: string; version: string; name: string } | undefined {
  const m = /^([A-Z][a-z]+)?(V\d+(?:(?:alpha|beta)\d+)?)([A-Z].*)$/.exec(className);
  if (!m) return undefined;
  return { pkg: m[1]?.toLowerCase(), version: m[2].toLowerCase(), name: m[3] };
}

/** Gives every client-node class its upstream definition name. */
function nameClasses(classes: Map<string, CnClass>, kt: Map<string, KtDefinition>): Map<string, string> {
  const byVersionName = new Map<string, string[]>();
  for (const full of kt.keys()) {
    const parts = full.split('.');
    const key = `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
    byVersionName.set(key, [...(byVersionName.get(key) ?? []), full]);
  }
  const names = new Map<string, string>();
  const pending: string[] = [];
  for (const c of classes.keys()) {
    const s = splitClassName(c);
    if (!s) continue;
    const candidates = (byVersionName.get(`${s.version}.${s.name}`) ?? []).filter((n) => !s.pkg || n.startsWith(`io.k8s.api.${s.pkg}.`));
    if (candidates.length === 1) names.set(c, candidates[0]);
    else if (s.pkg) names.set(c, `io.k8s.api.${s.pkg}.${s.version}.${s.name}`);
    else pending.push(c);
  }
  // A definition newer than kubernetes-types lives in the package of the definition that uses it.
  for (let changed = true; changed && pending.length; ) {
    changed = false;
    for (const [parent, upstream] of [...names]) {
      for (const a of classes.get(parent)?.attributes ?? []) {
        for (const used of a.type.match(/\b[A-Z]\w*V\d\w*\b/g) ?? []) {
          const i = pending.indexOf(used);
          const s = splitClassName(used);
          if (i < 0 || !s) continue;
          const pkg = upstream.split('.').slice(0, -2).join('.');
          names.set(used, `${pkg}.${s.version}.${s.name}`);
          pending.splice(i, 1);
          changed = true;
        }
      }
    }
  }
  return names;
}

/** The generated .d.ts comments keep the spec's JSON escapes (service\\'s). */
function unescape(text: string): string {
  return text.replace(/\\(['"\\])/g, '$1');
}

interface Context { classes: Map<string, CnClass>; names: Map<string, string>; kt: Map<string, KtDefinition>; reached: Set<string> }

/** The schema of one attribute type ("Array<V1Container>", "{ [key: string]: string; }", ...). */
function attributeSchema(ctx: Context, type: string, format: string, ktType: string): Schema {
  const t = type.trim();
  const array = /^Array<(.*)>$/.exec(t);
  if (array) return { type: 'array', items: attributeSchema(ctx, array[1], format, ktType.replace(/^Array<(.*)>$/, '$1').replace(/\[\]$/, '')) };
  const map = /^\{ \[key: string\]: (.*); \}$/.exec(t);
  if (map) return { type: 'object', additionalProperties: attributeSchema(ctx, map[1], format, ktType.replace(/^\{\s*\[\w+: string\]: (.*?);?\s*\}$/, '$1')) };
  if (t === 'string') {
    if (/\bQuantity\b/.test(ktType)) return ref(QUANTITY);
    return format ? { type: 'string', format } : { type: 'string' };
  }
  if (t === 'number') return format === 'double' ? { type: 'number', format } : { type: 'integer', ...(format ? { format } : {}) };
  if (t === 'boolean') return { type: 'boolean' };
  if (t === 'Date') return ref(/\bMicroTime\b/.test(ktType) ? MICRO_TIME : TIME);
  if (t === 'IntOrString') return ref(INT_OR_STRING);
  if (format === 'date-time-micro') return ref(MICRO_TIME);
  if (t === 'any' || t === 'object') {
    // RawExtension, FieldsV1, JSON: any JSON value the server keeps as it is
    const named = [...ctx.kt.keys()].find((k) => k.endsWith(`.${ktType}`) && /^[A-Z]\w*$/.test(ktType));
    if (named) {
      ctx.reached.add(named);
      return ref(named);
    }
    return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
  const upstream = ctx.names.get(t);
  if (!upstream) return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  ctx.reached.add(t);
  return ref(upstream);
}

function classSchema(ctx: Context, cls: CnClass, upstream: string): Schema {
  const kt = ctx.kt.get(upstream);
  const properties: Record<string, Schema> = {};
  for (const a of cls.attributes) {
    const ktProp = kt?.properties.get(a.baseName);
    const schema = attributeSchema(ctx, a.type, a.format, ktProp?.typeText ?? '');
    // client-node puts the referenced type's own description on $ref fields (IntOrString, Time);
    // kubernetes-types keeps the field's.
    const own = unescape(cls.descriptions.get(a.name) ?? '');
    const description = schema.$ref ? ktProp?.description || own : own || ktProp?.description;
    properties[a.baseName] = description ? { ...schema, description } : schema;
  }
  const required = cls.attributes.filter((a) => cls.required.has(a.name)).map((a) => a.baseName);
  const out: Schema = { description: unescape(cls.description) || kt?.description || undefined, type: 'object', properties };
  if (!out.description) delete out.description;
  if (required.length) out.required = required;
  return out;
}

/** The definitions as definitions.json holds them. */
export async function buildDefinitions(): Promise<Record<string, Schema>> {
  const kt = readKubernetesTypes();
  const classes = await readClientNode();
  const names = nameClasses(classes, kt);
  const byUpstream = new Map([...names].map(([c, u]) => [u, c]));
  const ctx: Context = { classes, names, kt, reached: new Set() };

  // Roots: the served kinds, their lists, subresource kinds, and the bodies every group shares.
  const kinds = topLevelKinds(RESOURCES);
  const definitions: Record<string, Schema> = {};
  const queue = [...kinds.map(definitionName), ...COMMON_ROOTS];
  const seen = new Set<string>();
  while (queue.length) {
    const upstream = queue.shift()!;
    if (seen.has(upstream)) continue;
    seen.add(upstream);
    const description = kt.get(upstream)?.description;
    const className = byUpstream.get(upstream);
    if (HAND_WRITTEN[upstream]) {
      definitions[upstream] = { ...HAND_WRITTEN[upstream], ...(description ? { description } : {}) };
    } else if (className) {
      ctx.reached.clear();
      definitions[upstream] = classSchema(ctx, classes.get(className)!, upstream);
      for (const r of ctx.reached) queue.push(names.get(r) ?? r);
    } else if (kt.has(upstream)) {
      // Not a client-node class: an opaque value such as RawExtension or FieldsV1.
      definitions[upstream] = { ...(description ? { description } : {}), type: 'object' };
    }
  }
  for (const special of [QUANTITY, INT_OR_STRING, TIME, MICRO_TIME]) {
    if (!definitions[special]) definitions[special] = { ...HAND_WRITTEN[special], ...(kt.get(special)?.description ? { description: kt.get(special)!.description } : {}) };
  }

  for (const k of kinds) {
    const def = definitions[definitionName(k)];
    if (def) def['x-kubernetes-group-version-kind'] = [k];
    else if (RESOURCES.some((r) => r.group === k.group && r.version === k.version && r.kind === k.kind)) throw new Error(`no definition for ${definitionName(k)}`);
  }
  // Status is core/v1 only; DeleteOptions and WatchEvent are registered in every group-version.
  definitions[STATUS]['x-kubernetes-group-version-kind'] = [{ group: '', version: 'v1', kind: 'Status' }];
  for (const shared of [DELETE_OPTIONS, WATCH_EVENT]) {
    const kind = shared.split('.').pop()!;
    definitions[shared]['x-kubernetes-group-version-kind'] = groupVersions().map((gv) => ({ group: gv.group, version: gv.version, kind }));
  }

  return Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => a.localeCompare(b)));
}

// Run as a script (not when a test imports buildDefinitions): write the file.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = await buildDefinitions();
  // One definition per line keeps diffs readable after a package upgrade.
  const lines = Object.entries(built).map(([name, def]) => `${JSON.stringify(name)}:${JSON.stringify(def)}`);
  writeFileSync(join(here, 'definitions.json'), `{\n${lines.join(',\n')}\n}\n`);
  console.log(`wrote ${lines.length} definitions to definitions.json`);
}
