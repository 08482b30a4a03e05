// Records Kubernetes Events (client-go tools/record: recorder + EventCorrelator, simplified) —
// what `kubectl describe` shows under "Events". The first occurrence creates a core/v1 Event
// named "<object name>.<hex timestamp>" in the object's namespace; a repeat of the same
// (object, type, reason, message) within 10 minutes patches that Event's count and
// lastTimestamp instead of creating another, as upstream's eventLogger does.
// Not done here: upstream's spam filter (token bucket per object) and its aggregation of
// similar events with different messages into "(combined from similar events)".
//
// Recording is fire-and-forget: event() never throws and never blocks the caller; writes go
// out one at a time in order (upstream's broadcaster goroutine), failures are logged.
import { findResource } from '../api/resources.ts';
import { defaultLogger, type Logger } from './log.ts';
import { isNotFound, type Client, type EventRecorder, type KubeObject } from './types.ts';

// events_cache.go: defaultAggregateIntervalInSeconds = 600, maxLruCacheEntries = 4096.
const DEDUP_WINDOW_MS = 10 * 60 * 1000;
const MAX_CACHED_EVENTS = 4096;
// Cluster-scoped objects (Nodes) get their events in "default", as upstream's recorder does.
const CLUSTER_SCOPED_EVENT_NAMESPACE = 'default';

export interface EventSource {
  component: string;
  host?: string;
}

export interface EventRecorderOptions {
  now?: () => number;
  logger?: Logger;
}

/** An EventRecorder whose pending writes can be awaited (tests, graceful shutdown). */
export interface FlushableEventRecorder extends EventRecorder {
  flush(): Promise<void>;
}

interface Recorded {
  namespace: string;
  name: string;
  count: number;
  lastSeenMs: number;
}

export function createEventRecorder(client: Client, source: EventSource, opts: EventRecorderOptions = {}): FlushableEventRecorder {
  let sequence = 0;
  const nextNanos = () => (sequence = (sequence + 1) % 1_000_000);
  const events = findResource('', 'v1', 'events')!;
  const now = opts.now ?? Date.now;
  const log = (opts.logger ?? defaultLogger).child({ component: source.component, recorder: 'events' });
  const seen = new Map<string, Recorded>(); // insertion order = least recently used first
  let pending: Promise<void> = Promise.resolve();

  const write = async (obj: KubeObject, type: string, reason: string, message: string, atMs: number) => {
    if (!obj?.metadata?.name) throw new Error(`cannot record event ${reason}: the object has no name`);
    const namespace = obj.metadata.namespace || CLUSTER_SCOPED_EVENT_NAMESPACE;
    const key = [obj.metadata.uid ?? `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`, type, reason, message].join('\u0000');
    const timestamp = rfc3339(atMs);
    const previous = seen.get(key);
    seen.delete(key);
    if (previous && atMs - previous.lastSeenMs <= DEDUP_WINDOW_MS) {
      const count = previous.count + 1;
      try {
        await client.resource(events, previous.namespace).patch(previous.name, 'strategic', { count, lastTimestamp: timestamp });
        remember(key, { ...previous, count, lastSeenMs: atMs });
        return;
      } catch (err) {
        // Someone deleted the Event (or it expired): start a new one, as upstream does.
        if (!isNotFound(err)) throw err;
      }
    }
    // upstream: "<name>.<UnixNano in hex>". Events recorded in the same millisecond get distinct
    // nanosecond parts from a per-recorder counter, so their names never collide.
    const name = `${obj.metadata.name}.${(BigInt(atMs) * 1_000_000n + BigInt(nextNanos())).toString(16)}`;
    await client.resource(events, namespace).create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        kind: obj.kind,
        namespace: obj.metadata.namespace,
        name: obj.metadata.name,
        uid: obj.metadata.uid,
        apiVersion: obj.apiVersion,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: source.host ? { component: source.component, host: source.host } : { component: source.component },
      firstTimestamp: timestamp,
      lastTimestamp: timestamp,
      count: 1,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    });
    remember(key, { namespace, name, count: 1, lastSeenMs: atMs });
  };

  const remember = (key: string, r: Recorded) => {
    seen.set(key, r);
    if (seen.size > MAX_CACHED_EVENTS) seen.delete(seen.keys().next().value!);
  };

  return {
    event(obj, type, reason, message) {
      const atMs = now();
      pending = pending
        .then(() => write(obj, type, reason, message, atMs))
        .catch((err) => log.error({ err, object: `${obj?.metadata?.namespace ?? ''}/${obj?.metadata?.name}`, reason }, 'could not record event'));
    },
    flush: () => pending,
  };
}

/** Kubernetes timestamps (metav1.Time) are RFC 3339 with second precision. */
function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
