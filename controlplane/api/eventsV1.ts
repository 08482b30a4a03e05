// events.k8s.io/v1 Events are core/v1 Events under other field names (upstream:
// pkg/apis/events/v1 conversion). Both are stored in core/v1 shape under /registry/events/,
// so `kubectl get events` and `kubectl describe` see events written through either API.
type Obj = Record<string, any>;

function defined(o: Obj): Obj {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

export function eventsV1ToCore(ev: Obj): Obj {
  return defined({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: ev.metadata ?? {},
    involvedObject: ev.regarding ?? {},
    related: ev.related,
    reason: ev.reason,
    message: ev.note,
    type: ev.type,
    action: ev.action,
    eventTime: ev.eventTime,
    series: ev.series ? { count: ev.series.count, lastObservedTime: ev.series.lastObservedTime } : undefined,
    source: ev.deprecatedSource,
    firstTimestamp: ev.deprecatedFirstTimestamp,
    lastTimestamp: ev.deprecatedLastTimestamp,
    count: ev.deprecatedCount,
    reportingComponent: ev.reportingController ?? '',
    reportingInstance: ev.reportingInstance ?? '',
  });
}

export function coreEventToV1(ev: Obj): Obj {
  return defined({
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: ev.metadata ?? {},
    eventTime: ev.eventTime ?? null,
    series: ev.series,
    reportingController: ev.reportingComponent || undefined,
    reportingInstance: ev.reportingInstance || undefined,
    action: ev.action,
    reason: ev.reason,
    regarding: ev.involvedObject,
    related: ev.related,
    note: ev.message,
    type: ev.type,
    deprecatedSource: ev.source,
    deprecatedFirstTimestamp: ev.firstTimestamp,
    deprecatedLastTimestamp: ev.lastTimestamp,
    deprecatedCount: ev.count,
  });
}
