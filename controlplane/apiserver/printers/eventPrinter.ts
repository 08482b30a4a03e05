// `kubectl get events`: LAST SEEN TYPE REASON OBJECT MESSAGE, and with -o wide SUBOBJECT SOURCE
// FIRST SEEN COUNT NAME. Upstream printEvent (pkg/printers/internalversion/printers.go).
// events.k8s.io/v1 Events print through the same printer after renaming their fields to the
// core/v1 ones, as upstream converts both to one internal Event.

import type { Event as CoreEvent, EventSource } from 'kubernetes-types/core/v1.js';
import type { Event as EventsV1Event } from 'kubernetes-types/events/v1.js';
import { translateTimestampSince } from './age.ts';
import { eventsV1ToCore } from '../../api/eventsV1.ts';
import { column, NAME_DESCRIPTION, nameOf, type Printer } from './table.ts';

/** SOURCE: "component, host", falling back to the reporting controller and instance. */
function formatEventSource(source: EventSource | undefined, controller: string | undefined, instance: string | undefined): string {
  const component = source?.component || controller || '';
  const host = source?.host || instance || '';
  return host ? `${component}, ${host}` : component;
}

/** OBJECT: "pod/nginx", or just the kind when the event names no object. */
function eventTarget(ev: CoreEvent): string {
  const kind = (ev.involvedObject?.kind ?? '').toLowerCase();
  return ev.involvedObject?.name ? `${kind}/${ev.involvedObject.name}` : kind;
}

function printEvent(ev: CoreEvent, now: Date) {
  // Events from the new API set eventTime instead of firstTimestamp.
  const firstSeen = ev.firstTimestamp
    ? translateTimestampSince(ev.firstTimestamp, now)
    : translateTimestampSince(ev.eventTime, now);
  let lastSeen = ev.lastTimestamp ? translateTimestampSince(ev.lastTimestamp, now) : firstSeen;
  let count = ev.count ?? 0;
  if (ev.series) {
    lastSeen = translateTimestampSince(ev.series.lastObservedTime, now);
    count = ev.series.count ?? 0;
  } else if (count === 0) {
    // Singleton events of the new API carry no count.
    count = 1;
  }
  return {
    cells: [
      lastSeen,
      ev.type ?? '',
      ev.reason ?? '',
      eventTarget(ev),
      ev.involvedObject?.fieldPath ?? '',
      formatEventSource(ev.source, ev.reportingComponent, ev.reportingInstance),
      (ev.message ?? '').trim(),
      firstSeen,
      count,
      nameOf(ev),
    ],
  };
}

const eventColumns = [
  column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
  column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
  column('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  column('Object', 'string', 'The object that this event is about.'),
  column('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', { priority: 1 }),
  column('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', { priority: 1 }),
  column('Message', 'string', 'A human-readable description of the status of this operation.'),
  column('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', { priority: 1 }),
  column('Count', 'string', 'The number of times this event has occurred.', { priority: 1 }),
  column('Name', 'string', NAME_DESCRIPTION, { format: 'name', priority: 1 }),
];

export const eventPrinter: Printer<CoreEvent> = { columns: eventColumns, print: printEvent };

export const eventsV1EventPrinter: Printer<EventsV1Event> = {
  columns: eventColumns,
  print: (ev, now) => printEvent(eventsV1ToCore(ev) as CoreEvent, now),
};
