import { describe, expect, it } from 'vitest';
import { RESOURCES, groupVersions } from '../resources.ts';
import { groupVersionPath, openapiV3Document, openapiV3DocumentBody, openapiV3Root } from './openapiV3.ts';

type Op = { parameters?: { name: string }[]; requestBody?: { content: Record<string, unknown> }; 'x-kubernetes-group-version-kind'?: unknown; 'x-kubernetes-action'?: string };
type Doc = { openapi: string; paths: Record<string, Record<string, Op>>; components: { schemas: Record<string, Record<string, any>> } };

const doc = (path: string) => openapiV3Document(path) as Doc;

/** Every $ref in a value, as definition names. */
function refs(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) v.forEach((x) => refs(x, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.add(x.replace('#/components/schemas/', ''));
      else refs(x, out);
    }
  }
  return out;
}

describe('openapiV3Root', () => {
  it('lists every served group-version with a hashed URL', () => {
    const root = openapiV3Root();
    const expected = groupVersions().map((gv) => groupVersionPath(gv.group, gv.version));
    expect(Object.keys(root.paths).sort()).toEqual(expected.sort());
    expect(root.paths['api/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
    expect(root.paths['apis/apps/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=/);
  });

  it('gives each document the hash of its own body', () => {
    const root = openapiV3Root();
    for (const [path, { serverRelativeURL }] of Object.entries(root.paths)) {
      expect(serverRelativeURL.endsWith(`hash=${openapiV3DocumentBody(path)!.hash}`)).toBe(true);
      expect(JSON.parse(openapiV3DocumentBody(path)!.body)).toEqual(openapiV3Document(path));
    }
    expect(new Set(Object.values(root.paths).map((p) => p.serverRelativeURL.split('hash=')[1])).size).toBe(Object.keys(root.paths).length);
  });
});

describe('openapiV3Document', () => {
  it('answers undefined for a group-version that is not served', () => {
    expect(openapiV3Document('apis/networking.k8s.io/v1')).toBeUndefined();
    expect(openapiV3Document('apis/apps/v2')).toBeUndefined();
  });

  it('accepts the path with or without slashes', () => {
    expect(openapiV3Document('/apis/apps/v1')).toBe(openapiV3Document('apis/apps/v1'));
  });

  for (const r of RESOURCES) {
    const gvPath = groupVersionPath(r.group, r.version);
    it(`has a ${r.verbs.includes('patch') ? 'PATCH' : 'POST'} operation for ${gvPath} ${r.kind} with its GVK and fieldValidation`, () => {
      const d = doc(gvPath);
      expect(d.openapi).toBe('3.0.0');
      const verb = r.verbs.includes('patch') ? 'patch' : 'post';
      const ops = Object.values(d.paths).map((p) => p[verb]).filter((op): op is Op => !!op);
      const mine = ops.find((op) => JSON.stringify(op['x-kubernetes-group-version-kind']) === JSON.stringify({ group: r.group, version: r.version, kind: r.kind }));
      expect(mine, `${verb} for ${r.kind}`).toBeDefined();
      expect(mine!['x-kubernetes-action']).toBe(verb);
      expect(mine!.parameters!.map((p) => p.name)).toEqual(expect.arrayContaining(['fieldValidation', 'dryRun', 'fieldManager']));
    });
  }

  it('leaves strategic merge patch out of PATCH bodies so kubectl uses its compiled-in patch strategies', () => {
    for (const gv of groupVersions()) {
      for (const item of Object.values(doc(groupVersionPath(gv.group, gv.version)).paths)) {
        if (!item.patch) continue;
        expect(Object.keys(item.patch.requestBody!.content)).not.toContain('application/strategic-merge-patch+json');
        expect(Object.keys(item.patch.requestBody!.content)).toContain('application/merge-patch+json');
      }
    }
  });

  it('serves namespaced resources under /namespaces/{namespace} and cluster resources at the top', () => {
    const core = doc('api/v1');
    expect(core.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch).toBeDefined();
    expect(core.paths['/api/v1/pods'].get['x-kubernetes-action']).toBe('list');
    expect(core.paths['/api/v1/nodes/{name}'].delete).toBeDefined();
    expect(core.paths['/api/v1/namespaces/{namespace}/bindings'].post).toBeDefined();
    expect(core.paths['/api/v1/namespaces/{namespace}/bindings/{name}']).toBeUndefined();
    const scale = doc('apis/apps/v1').paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].patch;
    expect(scale['x-kubernetes-group-version-kind']).toEqual({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
  });

  it('carries every schema its paths and schemas refer to', () => {
    for (const gv of groupVersions()) {
      const d = doc(groupVersionPath(gv.group, gv.version));
      for (const name of refs(d)) expect(d.components.schemas[name], `${name} in ${gv.group}/${gv.version}`).toBeDefined();
      for (const common of ['ObjectMeta', 'Status', 'DeleteOptions', 'WatchEvent', 'Patch']) {
        expect(Object.keys(d.components.schemas).some((n) => n.endsWith(`.meta.v1.${common}`)), common).toBe(true);
      }
    }
  });

  it('tags each served kind schema with x-kubernetes-group-version-kind', () => {
    for (const r of RESOURCES) {
      const schemas = doc(groupVersionPath(r.group, r.version)).components.schemas;
      const tagged = Object.values(schemas).filter((s) => (s['x-kubernetes-group-version-kind'] ?? []).some((g: any) => g.group === r.group && g.version === r.version && g.kind === r.kind));
      expect(tagged, `${r.group}/${r.version} ${r.kind}`).toHaveLength(1);
    }
  });

  it('has the descriptions kubectl explain shows', () => {
    const s = doc('api/v1').components.schemas;
    expect(s['io.k8s.api.core.v1.Pod'].description).toMatch(/collection of containers/);
    expect(s['io.k8s.api.core.v1.Pod'].properties.spec.description).toMatch(/desired behavior of the pod/);
    expect(s['io.k8s.api.core.v1.Pod'].properties.spec.allOf).toEqual([{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }]);
    const containers = s['io.k8s.api.core.v1.PodSpec'].properties.containers;
    expect(containers.type).toBe('array');
    expect(containers.description).toMatch(/List of containers belonging to the pod/);
    expect(containers.items.$ref).toBe('#/components/schemas/io.k8s.api.core.v1.Container');
    expect(s['io.k8s.api.core.v1.Container'].properties.image.description).toMatch(/Container image name/);
    expect(s['io.k8s.api.core.v1.Container'].required).toEqual(['name']);
    const apps = doc('apis/apps/v1').components.schemas;
    expect(apps['io.k8s.api.apps.v1.DeploymentSpec'].properties.replicas).toMatchObject({ type: 'integer', format: 'int32' });
    expect(apps['io.k8s.api.apps.v1.DeploymentSpec'].properties.selector.description).toMatch(/Label selector/);
  });
});
