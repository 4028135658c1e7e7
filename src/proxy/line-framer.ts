// Splits a byte stream into newline-delimited JSON-RPC frames (the MCP stdio transport)
// and forwards the ones the caller lets pass as the original bytes, batched per chunk.
//
// Why not the SDK's ReadBuffer/StdioClientTransport on this path: they JSON.parse and
// re-serialise every message, and ReadBuffer re-concatenates its buffer on every chunk.
// A proxy that passes 1 MiB tool results through must not pay that; here a frame that is
// passed on is never decoded, copied only when it spans chunks, and written in one call
// together with its neighbours from the same chunk; a long line that needs no inspection
// is streamed on chunk by chunk as it arrives, so large results are pipelined.
// Memory is bounded: a line nobody may see (not JSON, or over the size limit for frames that
// must be parsed) is discarded as it arrives, keeping only its head and tail for a report.

/** What to do with one frame: pass the original bytes, drop it, or send these bytes instead. */
export type FrameVerdict = true | null | Buffer;

/** What happens to a long line once its head is known (see StreamDecider). */
export interface LongLine {
  /** Called at the line's end with its last bytes (without the line ending) and its length. */
  onEnd: (tail: Buffer, length: number) => void;
  /** Drop the line's bytes as they arrive instead of passing them on. */
  discard?: boolean;
}

/**
 * For a long line, decided from its first bytes: stream it on as it arrives (pipelined like
 * a raw pipe instead of store-and-forward), or discard it, then hand `onEnd` the line's last
 * bytes. Returning undefined keeps the line buffered for `onFrame`.
 */
export type StreamDecider = (head: Buffer) => LongLine | undefined;

/**
 * A buffered line grew past `maxLine`: it is discarded, and `onOverflow` gets its first
 * HEAD_BYTES, last TAIL_BYTES and full length once it ends (to answer its sender).
 */
export interface LineLimit {
  maxLine: number;
  onOverflow: (head: Buffer, tail: Buffer, length: number) => void;
}

const NL = 0x0a;

/** At most the last TAIL_BYTES of `bytes`, as a view. */
function lastBytes(bytes: Buffer): Buffer {
  return bytes.length > TAIL_BYTES ? bytes.subarray(bytes.length - TAIL_BYTES) : bytes;
}

/** A short piece after the tail so far: the two copied together, the last TAIL_BYTES kept. */
function joinTail(tail: Buffer, piece: Buffer): Buffer {
  return Buffer.concat([lastBytes(tail), piece]).subarray(-TAIL_BYTES);
}

/** Lines shorter than this are always buffered whole: cheap, and most frames are short. */
export const STREAM_AFTER = 16 * 1024;
/** Bytes of a streamed line kept for onEnd (where a trailing top-level "id" lives). */
export const TAIL_BYTES = 256;
/** Bytes of a long line's start handed to the decider (where the top-level keys live). */
export const HEAD_BYTES = 512;

export interface FramerOptions {
  /**
   * `onFrame` may get a frame with its line ending still on (it skips trailing blanks, as JSON
   * readers do): a chunk that is exactly one line is then handed over as it is, since making a
   * view of it costs more than the rest of a small frame's classification.
   */
  lineEndInFrame?: boolean;
}

/** The frame without the line ending a framer with `lineEndInFrame` may have left on it. */
export function withoutLineEnd(frame: Buffer): Buffer {
  const end = lineContentEnd(frame);
  return end === frame.length ? frame : frame.subarray(0, end);
}

/** Where the frame's content ends, before a line ending left on it (no view made: see withoutLineEnd). */
export function lineContentEnd(frame: Buffer): number {
  let end = frame.length;
  if (end > 0 && frame[end - 1] === NL) end--;
  if (end > 0 && frame[end - 1] === 0x0d) end--;
  return end;
}

export class LineFramer {
  private parts: Buffer[] = [];
  private partsLength = 0;
  /** The long line being streamed or discarded, if any. */
  private streaming: { onEnd: (tail: Buffer, length: number) => void; tail: Buffer; length: number; discard: boolean } | null = null;
  /** The decider already said "buffer" for the current line. */
  private headJudged = false;

  /**
   * @param onFrame sees each frame without its line ending; must not write to `out` itself.
   * @param out receives whole lines, except the pieces of a line being streamed: nothing
   *   else may be written to the same destination between those pieces (see midLine).
   * @param decideStream opts long lines into streaming (see StreamDecider).
   * @param limit bounds the lines kept for `onFrame` (see LineLimit); unbounded without it.
   */
  constructor(
    private readonly onFrame: (frame: Buffer) => FrameVerdict,
    private readonly out: (bytes: Buffer) => void,
    private readonly decideStream?: StreamDecider,
    private readonly limit?: LineLimit,
    private readonly options: FramerOptions = {},
  ) {}

  /** True while a line is half-written to `out`: other writers must queue until it ends. */
  get midLine(): boolean {
    return this.streaming !== null && !this.streaming.discard;
  }

  push(chunk: Buffer): void {
    let pos = 0;
    if (!this.streaming && this.parts.length > 0) {
      const nl = chunk.indexOf(NL);
      if (nl === -1) {
        this.parts.push(chunk);
        this.partsLength += chunk.length;
        this.maybeStream();
        return;
      }
      if (this.limit && this.partsLength + nl > this.limit.maxLine) {
        // The line ends in this chunk but is over the limit: discard it like one that grew slowly.
        this.overflow();
      } else {
        this.parts.push(chunk.subarray(0, nl + 1));
        const whole = Buffer.concat(this.parts, this.partsLength + nl + 1);
        this.parts = [];
        this.partsLength = 0;
        this.headJudged = false;
        this.emit(whole, 0, whole.length - 1, whole);
        pos = nl + 1;
      }
    }
    if (this.streaming) {
      const s = this.streaming;
      const nl = chunk.indexOf(NL);
      if (nl === -1) {
        if (!s.discard) this.out(chunk);
        this.keepTail(chunk);
        return;
      }
      if (!s.discard) this.out(chunk.subarray(0, nl + 1));
      this.keepTail(chunk.subarray(0, nl > 0 && chunk[nl - 1] === 0x0d ? nl - 1 : nl));
      this.streaming = null;
      this.headJudged = false;
      s.onEnd(lastBytes(s.tail), s.length);
      pos = nl + 1;
    }
    let runStart = pos;
    for (;;) {
      // A chunk of whole lines ends at its last newline: no search past it (each one is a call into C++).
      const nl = pos < chunk.length ? chunk.indexOf(NL, pos) : -1;
      if (nl === -1) break;
      const verdict = this.judge(chunk, pos, nl);
      if (verdict !== true) {
        if (pos > runStart) this.out(chunk.subarray(runStart, pos));
        if (verdict) this.out(verdict);
        runStart = nl + 1;
      }
      pos = nl + 1;
    }
    // The usual chunk is whole lines passed on: written as it came, without a view of it.
    if (pos > runStart) this.out(runStart === 0 && pos === chunk.length ? chunk : chunk.subarray(runStart, pos));
    if (pos < chunk.length) {
      const rest = chunk.subarray(pos);
      this.parts.push(rest);
      this.partsLength += rest.length;
      this.maybeStream();
    }
  }

  private maybeStream(): void {
    if (this.decideStream && !this.headJudged && this.partsLength >= STREAM_AFTER) {
      this.headJudged = true;
      const decision = this.decideStream(this.head());
      if (decision) {
        this.startLongLine(decision);
        return;
      }
    }
    if (this.limit && this.partsLength > this.limit.maxLine) this.overflow();
  }

  private head(): Buffer {
    const first = this.parts[0]!;
    return first.length >= HEAD_BYTES ? Buffer.from(first.subarray(0, HEAD_BYTES)) : Buffer.concat(this.parts, Math.min(HEAD_BYTES, this.partsLength));
  }

  private overflow(): void {
    const head = this.head();
    const { onOverflow } = this.limit!;
    this.startLongLine({ discard: true, onEnd: (tail, length) => onOverflow(head, tail, length) });
  }

  /** Moves the buffered start of the line out (or drops it) and handles the rest as it arrives. */
  private startLongLine(decision: LongLine): void {
    this.streaming = { onEnd: decision.onEnd, tail: Buffer.alloc(0), length: 0, discard: decision.discard === true };
    for (const part of this.parts) {
      if (!decision.discard) this.out(part);
      this.keepTail(part);
    }
    this.parts = [];
    this.partsLength = 0;
  }

  /**
   * Counts the long line's length and keeps its last bytes: a long piece is kept as it is (a
   * view, trimmed only at the line's end), so the usual 64 KiB chunk costs no copy; only
   * pieces shorter than TAIL_BYTES are joined to what came before.
   */
  private keepTail(bytes: Buffer): void {
    const s = this.streaming!;
    s.length += bytes.length;
    s.tail = bytes.length >= TAIL_BYTES ? bytes : joinTail(s.tail, bytes);
  }

  /** A last line without a newline when the stream ends is still a frame. */
  end(): void {
    if (this.streaming) {
      // The stream ended mid-line: what was streamed cannot be taken back; end the line.
      const s = this.streaming;
      if (!s.discard) this.out(Buffer.from('\n'));
      this.streaming = null;
      s.onEnd(lastBytes(s.tail), s.length);
      return;
    }
    if (this.parts.length === 0) return;
    const whole = Buffer.concat([...this.parts, Buffer.from('\n')]);
    this.parts = [];
    this.partsLength = 0;
    this.emit(whole, 0, whole.length - 1, whole);
  }

  private emit(buf: Buffer, start: number, nl: number, whole: Buffer): void {
    const verdict = this.judge(buf, start, nl);
    if (verdict === true) this.out(whole);
    else if (verdict) this.out(verdict);
  }

  private judge(buf: Buffer, start: number, nl: number): FrameVerdict {
    let end = nl;
    if (end > start && buf[end - 1] === 0x0d) end--;
    if (end === start) return null; // blank lines carry nothing; drop them
    if (this.limit && end - start > this.limit.maxLine) {
      // A whole over-limit line in one chunk (possible with in-process streams).
      const line = buf.subarray(start, end);
      this.limit.onOverflow(Buffer.from(line.subarray(0, HEAD_BYTES)), Buffer.from(line.subarray(-TAIL_BYTES)), line.length);
      return null;
    }
    if (this.options.lineEndInFrame && start === 0 && nl === buf.length - 1) return this.onFrame(buf);
    return this.onFrame(buf.subarray(start, end));
  }
}
