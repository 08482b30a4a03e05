// The revision log that the SQLite store keeps, shaped like kine's (pkg/drivers/generic/generic.go):
// one append-only table where every write — create, update or delete — is a new row whose id is
// the revision. A key's current value is its row with the highest id; a delete is a row with
// deleted = 1 (a tombstone) that still carries the last value, so watchers can be told what was
// deleted. UNIQUE(name, prev_revision) is what makes two writers racing from the same revision
// collide: only one row may follow a given row of a key.

import type { KeyValue, WatchEvent } from './types.ts';

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS kine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT NOT NULL,
  old_value TEXT
);
CREATE INDEX IF NOT EXISTS kine_name_id_index ON kine (name, id);
CREATE UNIQUE INDEX IF NOT EXISTS kine_name_prev_revision_uindex ON kine (name, prev_revision);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`;

/** One row of the log. */
export interface LogRow {
  id: number;
  name: string;
  /** 1 on the row that created the key (its create revision is its own id). */
  created: number;
  /** 1 on a tombstone. */
  deleted: number;
  /** The id of the row that created the key; 0 on that row itself (kine stores it the same way). */
  create_revision: number;
  /** The id of the key's previous row (0 for a key never seen, or a tombstone's id on re-create). */
  prev_revision: number;
  value: string;
  /** The value before this write (updates and deletes). */
  old_value: string | null;
}

export function createRevisionOf(row: LogRow): number {
  return row.created ? row.id : row.create_revision;
}

export function rowToKv(row: LogRow): KeyValue {
  return { key: row.name, value: row.value, createRevision: createRevisionOf(row), modRevision: row.id };
}

/** The watch event a row records: create, update (with the value before), or delete (with the last value). */
export function rowToEvent(row: LogRow): WatchEvent {
  const kv = rowToKv(row);
  if (row.created) return { type: 'create', kv, revision: row.id };
  const prevKv: KeyValue = {
    key: row.name,
    value: row.old_value ?? row.value,
    createRevision: kv.createRevision,
    modRevision: row.prev_revision,
  };
  return { type: row.deleted ? 'delete' : 'update', kv, prevKv, revision: row.id };
}

// The latest row of every key in [start, end) as of a revision, skipping keys whose latest row is
// a tombstone (kine's listSQL: MAX(id) GROUP BY name).
const LATEST_AT_REVISION = `
  SELECT MAX(id) AS id FROM kine
  WHERE name >= @start AND name < @end AND id <= @revision
  GROUP BY name`;

export const SQL = {
  latest: `SELECT * FROM kine WHERE name = ? ORDER BY id DESC LIMIT 1`,
  insert: `INSERT INTO kine (name, created, deleted, create_revision, prev_revision, value, old_value)
           VALUES (@name, @created, @deleted, @create_revision, @prev_revision, @value, @old_value)`,
  list: `SELECT k.* FROM kine k JOIN (${LATEST_AT_REVISION}) m ON k.id = m.id
         WHERE k.deleted = 0 ORDER BY k.name LIMIT @limit`,
  count: `SELECT COUNT(*) AS n FROM kine k JOIN (${LATEST_AT_REVISION}) m ON k.id = m.id WHERE k.deleted = 0`,
  history: `SELECT * FROM kine WHERE id > @after AND name >= @start AND name < @end ORDER BY id`,
  currentRevision: `SELECT seq FROM sqlite_sequence WHERE name = 'kine'`,
  getMeta: `SELECT value FROM meta WHERE key = ?`,
  setMeta: `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
  // Compaction keeps, for every key, its latest row at the compact revision unless that row is a
  // tombstone; everything older is history nobody may read any more (kine's compactSQL).
  compact: `DELETE FROM kine WHERE id <= @revision AND (
              deleted = 1 OR id NOT IN (SELECT MAX(id) FROM kine WHERE id <= @revision GROUP BY name))`,
};

export const COMPACT_REVISION_KEY = 'compact_revision';
