// Watch: a chunked stream of {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":…} lines
// (upstream: k8s.io/apiserver/pkg/endpoints/handlers/watch.go, storage/cacher semantics).
// resourceVersion unset or "0": first the current objects as ADDED, then changes; "N": every change
// after N; N compacted away: an ERROR event with a 410 Status, which sends informers to relist.
import { errors } from '../../api/errors.ts';
import { CompactedError, type WatchEvent, type Watcher } from '../../storage/types.ts';
import { toTable } from '../printers/index.ts';
import { decode, type Obj } from '../registry/store.ts';
import { includeObject, selectorFilter, withTypeMeta } from './read.ts';
import { intParam, type RequestScope } from './context.ts';

// upstream --min-request-timeout 1800s: watches end after a random 30-60 min; clients re-watch.
const MIN_WATCH_TIMEOUT_S = 1800;

type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export async function handleWatch(s: RequestScope): Promise<void> {
  const { ctx, res, req, query: q, resource: r } = s;
  const filter = selectorFilter(r, q) ?? (() => true);
  // A watch on one named object (GET …/pods/x?watch=1 or fieldSelector metadata.name) is the same stream, filtered.
  const byName = s.info.name;
  const matches = (o: Obj) => (!byName || o.metadata?.name === byName) && filter(o);
  const rvParam = q.get('resourceVersion');
  let fromRevision: number;
  const initial: Obj[] = [];
  if (!rvParam || rvParam === '0') {
    const page = await ctx.store.list(r, { namespace: s.info.namespace, filter: matches });
    initial.push(...page.items);
    fromRevision = Number(page.resourceVersion);
  } else {
    fromRevision = Number(rvParam);
    if (!Number.isInteger(fromRevision) || fromRevision < 0) throw errors.badRequest(`invalid resource version: ${rvParam}`);
  }

  const timeoutS = intParam(q, 'timeoutSeconds') ?? MIN_WATCH_TIMEOUT_S * (1 + Math.random());
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  const table = s.accept.table;
  const include = includeObject(q);
  let lastRevision = fromRevision;
  let headersSent = false; // upstream sends a Table's column definitions with the first event only
  let closed = false;
  let watcher: Watcher | undefined;
  const timers: NodeJS.Timeout[] = [];

  const write = (type: WatchType, object: Obj) => {
    if (closed) return;
    let body = object;
    if (table && (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED')) {
      body = toTable(r, [object], { now: new Date(), includeObject: include, resourceVersion: object.metadata?.resourceVersion, noHeaders: headersSent });
      headersSent = true;
    } else if (type !== 'ERROR' && type !== 'BOOKMARK') {
      body = withTypeMeta(r, object);
    }
    res.write(JSON.stringify({ type, object: body }) + '\n');
  };
  const finish = () => {
    if (closed) return;
    closed = true;
    watcher?.close();
    for (const t of timers) clearInterval(t);
    res.end();
  };
  req.on('close', finish);
  res.on('error', finish);

  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  for (const o of initial) write('ADDED', o);

  const onEvents = (events: WatchEvent[]) => {
    for (const ev of events) {
      lastRevision = ev.revision;
      const obj = decode(ev.kv, r);
      const now = matches(obj);
      if (ev.type === 'create') {
        if (now) write('ADDED', obj);
      } else if (ev.type === 'delete') {
        if (now) write('DELETED', obj);
      } else {
        const before = ev.prevKv ? matches(decode(ev.prevKv, r)) : false;
        if (now && before) write('MODIFIED', obj);
        else if (now) write('ADDED', obj);
        else if (before) write('DELETED', obj);
      }
    }
  };
  const onError = (err: Error) => {
    if (err instanceof CompactedError) write('ERROR', errors.gone(`too old resource version: ${err.requested} (${err.compacted})`).toStatus());
    else write('ERROR', errors.internal(err.message).toStatus());
    finish();
  };
  try {
    watcher = await ctx.store.backend.watch(ctx.store.watchPrefix(r, s.info.namespace), fromRevision, { onEvent: onEvents, onError });
    if (closed) watcher.close();
  } catch (e) {
    onError(e as Error);
    return;
  }
  timers.push(setTimeout(finish, timeoutS * 1000));
  if (bookmarks) {
    const bookmark = () => write('BOOKMARK', { kind: r.kind, apiVersion: withTypeMeta(r, {}).apiVersion, metadata: { resourceVersion: String(lastRevision) } });
    timers.push(setInterval(bookmark, ctx.watchBookmarkIntervalMs));
  }
}
