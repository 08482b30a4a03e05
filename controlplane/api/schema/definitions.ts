// Access to the generated OpenAPI definitions (definitions.json, built by generateDefinitions.ts):
// one schema per upstream definition name, the ones a served kind reaches.

import { readFileSync } from 'node:fs';
import type { GroupVersionKind } from '../resources.ts';
import { type Schema, definitionName, refName } from './upstreamNames.ts';

let loaded: Record<string, Schema> | undefined;

/** Every definition, by upstream name (io.k8s.api.core.v1.PodSpec). Read once, on first use. */
export function definitions(): Readonly<Record<string, Schema>> {
  loaded ??= JSON.parse(readFileSync(new URL('./definitions.json', import.meta.url), 'utf8')) as Record<string, Schema>;
  return loaded;
}

export function definition(name: string): Schema | undefined {
  return Object.hasOwn(definitions(), name) ? definitions()[name] : undefined;
}

/** The upstream definition name of a kind, if it has a schema. */
export function schemaNameFor(gvk: GroupVersionKind): string | undefined {
  const name = definitionName(gvk);
  const def = definition(name);
  const tagged = def?.['x-kubernetes-group-version-kind']?.some((g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind);
  return tagged ? name : undefined;
}

/** The schema of a kind (the one carrying its x-kubernetes-group-version-kind). */
export function schemaFor(gvk: GroupVersionKind): Schema | undefined {
  const name = schemaNameFor(gvk);
  return name ? definition(name) : undefined;
}

/** Follows a $ref (or a one-element allOf) to its definition; other schemas come back as they are. */
export function resolve(s: Schema): Schema {
  const name = refName(s);
  return name ? (definition(name) ?? {}) : s;
}

/** The names of every definition reachable from the given ones, the given ones included. */
export function reachableDefinitions(roots: string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  const visit = (s: Schema | boolean | undefined): void => {
    if (!s || typeof s !== 'object') return;
    const name = refName(s);
    if (name && !seen.has(name)) stack.push(name);
    for (const p of Object.values(s.properties ?? {})) visit(p);
    visit(s.items);
    visit(s.additionalProperties);
    for (const a of s.allOf ?? []) visit(a);
  };
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name) || !definition(name)) continue;
    seen.add(name);
    visit(definition(name));
  }
  return seen;
}
