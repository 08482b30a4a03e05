import type { Event as CoreEvent } from 'kubernetes-types/core/v1.js';
import type { Event as EventsV1Event } from 'kubernetes-types/events/v1.js';
import { describe, expect, it } from 'vitest';
import { eventPrinter, eventsV1EventPrinter } from './eventPrinter.ts';

const now = new Date('2024-06-01T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

const event = (extra: Partial<CoreEvent>): CoreEvent => ({
  metadata: { name: 'nginx.17a2b', namespace: 'default' },
  involvedObject: { kind: 'Pod', name: 'nginx', namespace: 'default', fieldPath: 'spec.containers{nginx}' },
  reason: 'Pulled',
  type: 'Normal',
  message: 'Container image "nginx:1.22.1" already present on machine\n',
  source: { component: 'kubelet', host: 'worker-0' },
  ...extra,
});

describe('eventPrinter', () => {
  it('prints a repeated event: last seen, object, trimmed message, first seen, count', () => {
    const ev = event({ firstTimestamp: ago(300), lastTimestamp: ago(5), count: 4 });
    expect(eventPrinter.print(ev, now).cells).toEqual([
      '5s', 'Normal', 'Pulled', 'pod/nginx', 'spec.containers{nginx}', 'kubelet, worker-0',
      'Container image "nginx:1.22.1" already present on machine', '5m', 4, 'nginx.17a2b',
    ]);
  });
  it('uses first seen for last seen when only firstTimestamp is set, and counts a singleton as 1', () => {
    const cells = eventPrinter.print(event({ firstTimestamp: ago(90) }), now).cells;
    expect([cells[0], cells[7], cells[8]]).toEqual(['90s', '90s', 1]);
  });
  it('reads eventTime and series for events of the new API', () => {
    const ev = event({ eventTime: ago(600), series: { count: 7, lastObservedTime: ago(20) }, source: undefined, reportingComponent: 'default-scheduler', reportingInstance: '' });
    const cells = eventPrinter.print(ev, now).cells;
    expect([cells[0], cells[5], cells[7], cells[8]]).toEqual(['20s', 'default-scheduler', '10m', 7]);
  });
  it('prints <unknown> ages when no time is set and the bare kind for unnamed objects', () => {
    const ev = event({ involvedObject: { kind: 'Node' } });
    const cells = eventPrinter.print(ev, now).cells;
    expect([cells[0], cells[3], cells[7]]).toEqual(['<unknown>', 'node', '<unknown>']);
  });
});

describe('eventsV1EventPrinter', () => {
  it('prints events.k8s.io/v1 fields through the core printer', () => {
    const ev: EventsV1Event = {
      metadata: { name: 'web.1', namespace: 'default' },
      eventTime: ago(120),
      regarding: { kind: 'Deployment', name: 'web' },
      reason: 'ScalingReplicaSet',
      type: 'Normal',
      note: 'Scaled up replica set web-5d4f8 to 3',
      reportingController: 'deployment-controller',
      reportingInstance: 'master',
    };
    expect(eventsV1EventPrinter.print(ev, now).cells).toEqual([
      '2m', 'Normal', 'ScalingReplicaSet', 'deployment/web', '', 'deployment-controller, master',
      'Scaled up replica set web-5d4f8 to 3', '2m', 1, 'web.1',
    ]);
  });
});
