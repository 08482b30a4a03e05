import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LogWriter, parseCriLogRecord, readCriLog, type ReadLogsOptions } from './criLogReader.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'cri-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function logFile(text: string): string {
  const file = path.join(dir, `${++n}.log`);
  writeFileSync(file, text);
  return file;
}

async function read(file: string, opts: Partial<ReadLogsOptions> = {}): Promise<string> {
  const out: Buffer[] = [];
  await readCriLog(file, { follow: false, timestamps: false, ...opts }, (c) => void out.push(Buffer.from(c)));
  return Buffer.concat(out).toString();
}

const LOG = [
  '2024-05-01T10:00:00.000000001Z stdout F first',
  '2024-05-01T10:00:01.5Z stderr F second',
  '2024-05-01T10:00:02.123456789Z stdout P par',
  '2024-05-01T10:00:02.223456789Z stdout F tial',
  '2024-05-01T10:00:03+02:00 stdout F zoned',
  '',
].join('\n');

describe('parseCriLogRecord', () => {
  it.each([
    ['a full stdout record keeps its newline', '2024-05-01T10:00:00.5Z stdout F hello world\n', { stream: 'stdout', partial: false, content: 'hello world\n', timeMs: Date.parse('2024-05-01T10:00:00.500Z') }],
    ['a partial record loses its newline', '2024-05-01T10:00:00Z stderr P part\n', { stream: 'stderr', partial: true, content: 'part' }],
    ['tags after the first are ignored', '2024-05-01T10:00:00Z stdout F:x:y text\n', { partial: false, content: 'text\n' }],
    ['an empty line of output', '2024-05-01T10:00:00Z stdout F \n', { content: '\n' }],
    ['nanoseconds are cut to milliseconds for comparison', '2024-05-01T10:00:00.999999999Z stdout F x\n', { timeMs: Date.parse('2024-05-01T10:00:00.999Z'), timestamp: '2024-05-01T10:00:00.999999999Z' }],
  ])('%s', (_name, line, want) => {
    const r = parseCriLogRecord(Buffer.from(line));
    expect({ ...r, content: r.content.toString() }).toMatchObject(want);
  });

  it.each([
    ['no space at all', 'garbage'],
    ['a bad timestamp', 'yesterday stdout F x'],
    ['an unknown stream', '2024-05-01T10:00:00Z stdin F x'],
    ['no tag', '2024-05-01T10:00:00Z stdout'],
  ])('rejects %s', (_name, line) => {
    expect(() => parseCriLogRecord(Buffer.from(line))).toThrow();
  });
});

describe('readCriLog', () => {
  const file = logFile(LOG);

  it('joins partial records into one line', async () => {
    expect(await read(file)).toBe('first\nsecond\npartial\nzoned\n');
  });

  it('timestamps: the time as written, once per logical line', async () => {
    expect(await read(file, { timestamps: true })).toBe(
      '2024-05-01T10:00:00.000000001Z first\n2024-05-01T10:00:01.5Z second\n2024-05-01T10:00:02.123456789Z partial\n2024-05-01T10:00:03+02:00 zoned\n',
    );
  });

  it.each([
    [0, ''],
    [1, 'zoned\n'],
    [2, 'tial\nzoned\n'],
    [10, 'first\nsecond\npartial\nzoned\n'],
  ])('tailLines=%i counts records in the file', async (tail, want) => {
    expect(await read(file, { tailLines: tail })).toBe(want);
  });

  it('since skips older records', async () => {
    expect(await read(file, { sinceMs: Date.parse('2024-05-01T10:00:01.5Z') })).toBe('second\npartial\n');
    // 10:00:03+02:00 is 08:00:03Z, before everything else.
    expect(await read(file, { sinceMs: Date.parse('2024-05-01T10:00:02.2Z') })).toBe('tial\n');
  });

  it('limitBytes cuts the output, prefix included', async () => {
    expect(await read(file, { limitBytes: 8 })).toBe('first\nse');
    expect(await read(file, { limitBytes: 6 })).toBe('first\n');
    expect(await read(file, { limitBytes: 5, timestamps: true })).toBe('2024-');
  });

  it('a last record without its newline is shown; malformed lines are skipped and reported', async () => {
    const bad: string[] = [];
    const f = logFile('2024-05-01T10:00:00Z stdout F ok\nnot a record\n2024-05-01T10:00:01Z stdout F end');
    const out: Buffer[] = [];
    await readCriLog(f, { follow: false, timestamps: false, onParseError: (_e, l) => bad.push(l.toString()) }, (c) => void out.push(Buffer.from(c)));
    expect(Buffer.concat(out).toString()).toBe('ok\nend');
    expect(bad).toEqual(['not a record\n']);
  });

  it('tail works across read blocks', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `2024-05-01T10:00:00Z stdout F line ${i}`);
    const f = logFile(lines.join('\n') + '\n');
    expect(await read(f, { tailLines: 3 })).toBe('line 4997\nline 4998\nline 4999\n');
    expect((await read(f)).split('\n').length).toBe(5001);
  });

  it('follow reads what is appended and ends once the container stopped and the file is read', async () => {
    const f = logFile('2024-05-01T10:00:00Z stdout F one\n');
    let running = true;
    const out: string[] = [];
    const done = readCriLog(f, { follow: true, timestamps: false, isRunning: async () => running }, (c) => {
      out.push(c.toString());
      if (out.length === 1) appendFileSync(f, '2024-05-01T10:00:01Z stdout F two\n');
      if (out.length === 2) {
        // Written just before the container stops: still shown.
        appendFileSync(f, '2024-05-01T10:00:02Z stdout F three\n');
        running = false;
      }
    });
    await done;
    expect(out.join('')).toBe('one\ntwo\nthree\n');
  });

  it('follow ends when the client goes away', async () => {
    const f = logFile('2024-05-01T10:00:00Z stdout F one\n');
    const abort = new AbortController();
    const out: string[] = [];
    await readCriLog(f, { follow: true, timestamps: false, isRunning: async () => true, signal: abort.signal }, (c) => {
      out.push(c.toString());
      abort.abort();
    });
    expect(out).toEqual(['one\n']);
  });
});

describe('readCriLog follows across a log rotation', () => {
  /** A record line as the runtime writes it. */
  const rec = (text: string) => `2024-05-01T10:00:00Z stdout F ${text}\n`;

  /** Polls until `ok` holds (the reader works on its own timers). */
  async function until(ok: () => boolean): Promise<void> {
    while (!ok()) await new Promise((r) => setTimeout(r, 10));
  }

  /** Starts following `file`; `text()` is what was shown so far, `stop()` says the container stopped. */
  function follow(file: string, opts: Partial<ReadLogsOptions> = {}) {
    let running = true;
    const out: Buffer[] = [];
    const done = readCriLog(file, { follow: true, timestamps: false, isRunning: async () => running, ...opts }, (c) => void out.push(Buffer.from(c)));
    return { done, text: () => Buffer.concat(out).toString(), stop: () => (running = false) };
  }

  it('finishes the renamed file, then reads the new one at the path from its start', async () => {
    const f = logFile(rec('one'));
    const r = follow(f);
    await until(() => r.text() === 'one\n');
    // The kubelet renames the live file; the runtime, until it reopens, still writes to it.
    renameSync(f, `${f}.20240501-100000`);
    appendFileSync(`${f}.20240501-100000`, rec('two'));
    await until(() => r.text() === 'one\ntwo\n');
    // The runtime reopens: a new, still empty file at the path; a last write lands in the old one.
    writeFileSync(f, '');
    appendFileSync(`${f}.20240501-100000`, rec('three'));
    await until(() => r.text() === 'one\ntwo\nthree\n');
    // From now on the runtime writes to the new file only.
    appendFileSync(f, rec('four'));
    await until(() => r.text() === 'one\ntwo\nthree\nfour\n');
    appendFileSync(f, rec('five'));
    await until(() => r.text().endsWith('five\n'));
    r.stop();
    await r.done;
    expect(r.text()).toBe('one\ntwo\nthree\nfour\nfive\n');
  });

  it('follows several rotations in a row; tailLines applies to the first file only', async () => {
    const f = logFile(rec('a') + rec('b'));
    const r = follow(f, { tailLines: 1 });
    await until(() => r.text() === 'b\n');
    for (const [i, lines] of [['1', ['c', 'd']], ['2', ['e']]] as const) {
      appendFileSync(f, rec(`${lines[0]}-old`));
      renameSync(f, `${f}.20240501-10000${i}`);
      writeFileSync(f, lines.map(rec).join(''));
      await until(() => r.text().endsWith(`${lines.at(-1)}\n`));
    }
    r.stop();
    await r.done;
    expect(r.text()).toBe('b\nc-old\nc\nd\ne-old\ne\n');
  });

  it('a rotation just before the container stopped: the new file is still read', async () => {
    const f = logFile(rec('one'));
    const r = follow(f);
    await until(() => r.text() === 'one\n');
    appendFileSync(f, rec('two'));
    renameSync(f, `${f}.20240501-100000`);
    writeFileSync(f, rec('three'));
    r.stop();
    await r.done;
    expect(r.text()).toBe('one\ntwo\nthree\n');
  });
});

describe('LogWriter', () => {
  it('a skipped partial record still decides where the next line starts', async () => {
    const out: string[] = [];
    const w = new LogWriter({ timestamps: true, sinceMs: 1000 }, (c) => void out.push(c.toString()));
    await w.write({ timestamp: 'T0', timeMs: 0, stream: 'stdout', partial: true, content: Buffer.from('a') });
    await w.write({ timestamp: 'T1', timeMs: 2000, stream: 'stdout', partial: false, content: Buffer.from('b\n') });
    await w.write({ timestamp: 'T2', timeMs: 3000, stream: 'stdout', partial: false, content: Buffer.from('c\n') });
    expect(out).toEqual(['b\n', 'T2 c\n']);
  });
});
