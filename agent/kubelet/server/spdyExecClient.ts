// The client side of an exec session over SPDY/3.1 toward the runtime's exec URL, as kubectl
// speaks it (client-go tools/remotecommand, protocol v4.channel.k8s.io): an HTTP upgrade with
// `X-Stream-Protocol-Version`, then one SPDY stream per channel, named by the header `streamType`
// (error, stdin, stdout, stderr, resize); the runtime writes the command's exit as a metav1.Status
// on the error stream and closes the connection.
//
// Why SPDY and not WebSocket: containerd 1.6's stream server speaks WebSocket only up to
// v4.channel.k8s.io, which cannot say "stdin ended". In SPDY it is a half-close — a DATA frame
// with FLAG_FIN on the stdin stream — and the runtime then closes the command's stdin
// (containerd attaches exec stdin with StdinOnce), so `echo hi | kubectl exec -i POD -- cat` ends.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { errors } from './httpReplies.ts';
import { ControlType, FLAG_FIN, SpdyFramer, dataFrame, type Frame } from './spdyFrames.ts';
import { upgradeTo } from './upgradeProxy.ts';

/** The remotecommand protocol asked of the runtime: v4 carries the exit code in its Status. */
export const SPDY_EXEC_PROTOCOL = 'v4.channel.k8s.io';
/** Upstream DefaultStreamCreationTimeout (remotecommand): how long stream set-up may take. */
const STREAM_CREATION_TIMEOUT_MS = 30_000;
/** The largest DATA frame sent; SPDY's length field has 24 bits. */
const MAX_DATA_FRAME = 64 * 1024;
/** How long a closed session waits for the runtime to hang up before the socket is destroyed. */
const CLOSE_GRACE_MS = 5_000;
/** RST_STREAM status REFUSED_STREAM: the server may not open streams in this session. */
const REFUSED_STREAM = 3;

export type OutputChannel = 'stdout' | 'stderr' | 'error';
export type InputChannel = 'stdin' | 'resize';
type StreamType = OutputChannel | InputChannel;

export interface ExecStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * The streams of a session in the order client-go creates them (stream_protocol_v4 createStreams);
 * the runtime waits for exactly these. A terminal has no stderr and gets a resize stream.
 */
export function execStreamTypes(s: ExecStreams): StreamType[] {
  const types: StreamType[] = ['error'];
  if (s.stdin) types.push('stdin');
  if (s.stdout) types.push('stdout');
  if (s.stderr && !s.tty) types.push('stderr');
  if (s.tty) types.push('resize');
  return types;
}

/** Splits a payload into DATA frames for one stream. */
export function dataFrames(streamId: number, data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < data.length; off += MAX_DATA_FRAME) out.push(dataFrame(streamId, data.subarray(off, off + MAX_DATA_FRAME)));
  return out;
}

export interface SpdyExecSession {
  /** Sends bytes on stdin or resize; false when the connection's buffer is full (wait for onDrain). */
  send(channel: InputChannel, data: Buffer): boolean;
  /** Half-closes stdin: the command reads end of file. */
  endStdin(): void;
  /** Output from the runtime; what came before the first listener is handed to it first. */
  onData(fn: (channel: OutputChannel, data: Buffer) => void): void;
  /** Once, after the last data was delivered: the runtime closed the session (or it failed). */
  onClose(fn: () => void): void;
  onDrain(fn: () => void): void;
  /** Stops and restarts reading from the runtime (backpressure toward a slow client). */
  pause(): void;
  resume(): void;
  close(): void;
}

/** Upgrades to the runtime's exec `url` and opens the streams `streams` asks for. */
export async function openSpdyExec(url: string, streams: ExecStreams): Promise<SpdyExecSession> {
  const upgraded = await upgradeTo(
    url,
    { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': SPDY_EXEC_PROTOCOL },
    'POST',
  );
  const { socket, response } = upgraded;
  const agreed = response.headers['x-stream-protocol-version'];
  if (agreed !== SPDY_EXEC_PROTOCOL) {
    socket.destroy();
    throw errors.internal(`runtime stream server agreed to protocol ${JSON.stringify(agreed ?? '')} instead of ${SPDY_EXEC_PROTOCOL} (HTTP ${response.statusCode} ${STATUS_CODES[response.statusCode ?? 0] ?? ''})`);
  }
  const session = new Session(socket, execStreamTypes(streams));
  try {
    await session.start(upgraded.head);
  } catch (err) {
    socket.destroy();
    throw err;
  }
  return session;
}

class Session implements SpdyExecSession {
  private readonly framer = new SpdyFramer();
  private readonly ids = new Map<StreamType, number>();
  private readonly types = new Map<number, StreamType>();
  private readonly replied = new Set<number>();
  private replyWaiter?: () => void;
  private parsing: Promise<void> = Promise.resolve();
  private dataFns: ((channel: OutputChannel, data: Buffer) => void)[] = [];
  /** Output that came before anyone listened (in the same read as the last SYN_REPLY, say). */
  private early: [OutputChannel, Buffer][] = [];
  private closeFns: (() => void)[] = [];
  private closed = false;
  private refused?: StreamType;
  private failure?: Error;

  constructor(
    private readonly socket: Socket,
    streamTypes: StreamType[],
  ) {
    // Client streams have odd ids, in creation order.
    streamTypes.forEach((t, i) => {
      this.ids.set(t, 1 + 2 * i);
      this.types.set(1 + 2 * i, t);
    });
    socket.setNoDelay(true);
  }

  async start(head: Buffer): Promise<void> {
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (e) => (this.failure ??= e));
    this.socket.on('close', () => {
      // After every frame already read is delivered.
      void this.parsing.then(() => this.finish());
    });
    if (head.length) this.receive(head);
    for (const [type, id] of this.ids) {
      // The server only reads: the client's side of these is finished at once.
      const fin = type === 'stdin' || type === 'resize' ? 0 : FLAG_FIN;
      this.socket.write(await this.framer.synStream(id, { streamType: type }, fin));
    }
    // The runtime drops DATA on a stream it has not answered yet (spdystream), so wait for every SYN_REPLY.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(errors.internal('runtime stream server did not accept the exec streams in time')), STREAM_CREATION_TIMEOUT_MS);
      const check = () => {
        if ([...this.types.keys()].every((id) => this.replied.has(id))) {
          clearTimeout(timer);
          this.replyWaiter = undefined;
          resolve();
        } else if (this.refused) {
          clearTimeout(timer);
          reject(errors.internal(`runtime stream server refused the exec session's ${this.refused} stream`));
        } else if (this.closed) {
          clearTimeout(timer);
          reject(errors.internal(`runtime stream server closed the exec session while opening it${this.failure ? `: ${this.failure.message}` : ''}`));
        }
      };
      this.replyWaiter = check;
      check();
    });
  }

  private receive(chunk: Buffer): void {
    this.parsing = this.parsing.then(async () => {
      let frames: Frame[];
      try {
        frames = await this.framer.push(chunk);
      } catch (err) {
        this.failure ??= err as Error;
        this.socket.destroy();
        return;
      }
      for (const f of frames) this.handle(f);
    });
  }

  private handle(f: Frame): void {
    if (f.kind === 'data') {
      const type = this.types.get(f.streamId);
      if ((type === 'stdout' || type === 'stderr' || type === 'error') && f.data.length > 0) {
        if (this.dataFns.length === 0) this.early.push([type, f.data]);
        else for (const fn of this.dataFns) fn(type, f.data);
      }
      return;
    }
    switch (f.type) {
      case ControlType.SynReply:
        this.replied.add(f.streamId!);
        this.replyWaiter?.();
        break;
      case ControlType.RstStream:
        // A stream refused while opening fails the session at once (the runtime logs why).
        if (!this.replied.has(f.streamId!) && this.types.has(f.streamId!)) {
          this.refused = this.types.get(f.streamId!);
          this.replyWaiter?.();
        }
        break;
      case ControlType.Ping:
        // A peer's ping is answered with the same id.
        if (!this.socket.destroyed && f.payload.length === 4) this.socket.write(this.framer.ping(f.payload.readUInt32BE(0)));
        break;
      case ControlType.SynStream:
        if (!this.socket.destroyed) this.socket.write(this.framer.rstStream(f.streamId!, REFUSED_STREAM));
        break;
      default:
        // GOAWAY (and RST_STREAM once open) come as the runtime ends the session; the socket's close follows.
        break;
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.replyWaiter?.();
    for (const fn of this.closeFns) fn();
  }

  send(channel: InputChannel, data: Buffer): boolean {
    const id = this.ids.get(channel);
    if (id === undefined || this.socket.destroyed || this.socket.writableEnded) return true;
    let ok = true;
    for (const frame of dataFrames(id, data)) ok = this.socket.write(frame) && ok;
    return ok;
  }

  endStdin(): void {
    const id = this.ids.get('stdin');
    if (id === undefined || this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.write(dataFrame(id, Buffer.alloc(0), FLAG_FIN));
    // Sent once: a second FIN would be a protocol error.
    this.ids.delete('stdin');
  }

  onData(fn: (channel: OutputChannel, data: Buffer) => void): void {
    this.dataFns.push(fn);
    for (const [channel, data] of this.early.splice(0)) fn(channel, data);
  }

  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.closeFns.push(fn);
  }

  onDrain(fn: () => void): void {
    this.socket.on('drain', fn);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    // GOAWAY, then the runtime closes its side; a runtime that does not is cut off.
    this.socket.end(this.framer.goAway(0));
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }
}
