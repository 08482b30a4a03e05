// The fields each resource can be selected by (?fieldSelector=), and their values for an object.
// Upstream: each registry's GetAttrs / ToSelectableFields (pkg/registry/core/pod/strategy.go
// PodToSelectableFields, event/strategy.go, node/strategy.go ...). metadata.name and
// metadata.namespace work everywhere: kubectl delete waits with ?fieldSelector=metadata.name=X.
import type { ResourceInfo } from '../../api/resources.ts';

type Obj = Record<string, any>;
type Extractor = (o: Obj) => Record<string, string>;

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

const EXTRA_FIELDS: Record<string, Extractor> = {
  pods: (o) => ({
    'spec.nodeName': str(o.spec?.nodeName),
    'spec.restartPolicy': str(o.spec?.restartPolicy),
    'spec.schedulerName': str(o.spec?.schedulerName),
    'spec.serviceAccountName': str(o.spec?.serviceAccountName),
    'spec.hostNetwork': String(Boolean(o.spec?.hostNetwork)),
    'status.phase': str(o.status?.phase),
    'status.podIP': str(o.status?.podIP),
    'status.nominatedNodeName': str(o.status?.nominatedNodeName),
  }),
  events: (o) => ({
    'involvedObject.kind': str(o.involvedObject?.kind ?? o.regarding?.kind),
    'involvedObject.namespace': str(o.involvedObject?.namespace ?? o.regarding?.namespace),
    'involvedObject.name': str(o.involvedObject?.name ?? o.regarding?.name),
    'involvedObject.uid': str(o.involvedObject?.uid ?? o.regarding?.uid),
    'involvedObject.apiVersion': str(o.involvedObject?.apiVersion ?? o.regarding?.apiVersion),
    'involvedObject.resourceVersion': str(o.involvedObject?.resourceVersion ?? o.regarding?.resourceVersion),
    'involvedObject.fieldPath': str(o.involvedObject?.fieldPath ?? o.regarding?.fieldPath),
    reason: str(o.reason),
    reportingComponent: str(o.reportingComponent ?? o.reportingController),
    source: str(o.source?.component),
    type: str(o.type),
  }),
  nodes: (o) => ({ 'spec.unschedulable': String(Boolean(o.spec?.unschedulable)) }),
  namespaces: (o) => ({ 'status.phase': str(o.status?.phase) }),
  secrets: (o) => ({ type: str(o.type) }),
  replicasets: (o) => ({ 'status.replicas': str(o.status?.replicas ?? 0) }),
  jobs: (o) => ({ 'status.successful': str(o.status?.succeeded ?? 0) }),
  persistentvolumeclaims: (o) => ({ 'spec.volumeName': str(o.spec?.volumeName) }),
};

export function selectableFields(resource: ResourceInfo, obj: Obj): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': str(obj.metadata?.name) };
  if (resource.namespaced) fields['metadata.namespace'] = str(obj.metadata?.namespace);
  const extra = EXTRA_FIELDS[resource.plural];
  return extra ? { ...fields, ...extra(obj) } : fields;
}

/** The names a field selector may use on this resource; anything else is a 400 as upstream. */
export function supportedFields(resource: ResourceInfo): Set<string> {
  return new Set(Object.keys(selectableFields(resource, { metadata: {} })));
}
