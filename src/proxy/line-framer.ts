// Splits a byte stream into newline-delimited JSON-RPC frames (the MCP stdio transport)
// and forwards the ones the caller lets pass as the original bytes, batched per chunk.
//
// Why not the SDK's ReadBuffer/StdioClientTransport on this path: they JSON.parse and
// re-serialise every message, and ReadBuffer re-concatenates its buffer on every chunk.
// A proxy that passes 1 MiB tool results through must not pay that; here a frame that is
// passed on is never decoded, copied only when it spans chunks, and written in one call
// together with its neighbours from the same chunk; a long line that needs no inspection
// is streamed on chunk by chunk as it arrives, so large results are pipelined.

/** What to do with one frame: pass the original bytes, drop it, or send these bytes instead. */
export type FrameVerdict = true | null | Buffer;

/**
 * For a long line, decided from its first bytes: stream it on as it arrives (pipelined like
 * a raw pipe instead of store-and-forward), then hand `onEnd` the line's last bytes.
 * Returning undefined keeps the line buffered for `onFrame`.
 */
export type StreamDecider = (head: Buffer) => { onEnd: (tail: Buffer) => void } | undefined;

const NL = 0x0a;
/** Lines shorter than this are always buffered whole: cheap, and most frames are short. */
export const STREAM_AFTER = 16 * 1024;
/** Bytes of a streamed line kept for onEnd (where a trailing top-level "id" lives). */
export const TAIL_BYTES = 256;

export class LineFramer {
  private parts: Buffer[] = [];
  private partsLength = 0;
  /** The line being streamed, if any. */
  private streaming: { onEnd: (tail: Buffer) => void; tail: Buffer } | null = null;
  /** The decider already said "buffer" for the current line. */
  private headJudged = false;

  /**
   * @param onFrame sees each frame without its line ending; must not write to `out` itself.
   * @param out receives whole lines, except the pieces of a line being streamed: nothing
   *   else may be written to the same destination between those pieces (see midLine).
   * @param decideStream opts long lines into streaming (see StreamDecider).
   */
  constructor(
    private readonly onFrame: (frame: Buffer) => FrameVerdict,
    private readonly out: (bytes: Buffer) => void,
    private readonly decideStream?: StreamDecider,
  ) {}

  /** Bytes buffered for an unfinished line (for limits and tests). */
  get buffered(): number {
    return this.partsLength;
  }

  /** True while a line is half-written to `out`: other writers must queue until it ends. */
  get midLine(): boolean {
    return this.streaming !== null;
  }

  push(chunk: Buffer): void {
    let pos = 0;
    if (this.streaming) {
      const nl = chunk.indexOf(NL);
      if (nl === -1) {
        this.out(chunk);
        this.keepTail(chunk);
        return;
      }
      this.out(chunk.subarray(0, nl + 1));
      this.keepTail(chunk.subarray(0, nl > 0 && chunk[nl - 1] === 0x0d ? nl - 1 : nl));
      const { onEnd, tail } = this.streaming;
      this.streaming = null;
      this.headJudged = false;
      onEnd(tail);
      pos = nl + 1;
    } else if (this.parts.length > 0) {
      const nl = chunk.indexOf(NL);
      if (nl === -1) {
        this.parts.push(chunk);
        this.partsLength += chunk.length;
        this.maybeStream();
        return;
      }
      this.parts.push(chunk.subarray(0, nl + 1));
      const whole = Buffer.concat(this.parts, this.partsLength + nl + 1);
      this.parts = [];
      this.partsLength = 0;
      this.headJudged = false;
      this.emit(whole, 0, whole.length - 1, whole);
      pos = nl + 1;
    }
    let runStart = pos;
    for (;;) {
      const nl = chunk.indexOf(NL, pos);
      if (nl === -1) break;
      const verdict = this.judge(chunk, pos, nl);
      if (verdict !== true) {
        if (pos > runStart) this.out(chunk.subarray(runStart, pos));
        if (verdict) this.out(verdict);
        runStart = nl + 1;
      }
      pos = nl + 1;
    }
    if (pos > runStart) this.out(chunk.subarray(runStart, pos));
    if (pos < chunk.length) {
      const rest = chunk.subarray(pos);
      this.parts.push(rest);
      this.partsLength += rest.length;
      this.maybeStream();
    }
  }

  private maybeStream(): void {
    if (!this.decideStream || this.headJudged || this.partsLength < STREAM_AFTER) return;
    this.headJudged = true;
    const first = this.parts[0]!;
    const head = first.length >= 512 ? first.subarray(0, 512) : Buffer.concat(this.parts, Math.min(512, this.partsLength));
    const decision = this.decideStream(head);
    if (!decision) return;
    this.streaming = { onEnd: decision.onEnd, tail: Buffer.alloc(0) };
    for (const part of this.parts) {
      this.out(part);
      this.keepTail(part);
    }
    this.parts = [];
    this.partsLength = 0;
  }

  private keepTail(bytes: Buffer): void {
    const s = this.streaming!;
    if (bytes.length >= TAIL_BYTES) s.tail = Buffer.from(bytes.subarray(bytes.length - TAIL_BYTES));
    else s.tail = Buffer.concat([s.tail, bytes]).subarray(-TAIL_BYTES);
  }

  /** A last line without a newline when the stream ends is still a frame. */
  end(): void {
    if (this.streaming) {
      // The stream ended mid-line: what was streamed cannot be taken back; end the line.
      this.out(Buffer.from('\n'));
      const { onEnd, tail } = this.streaming;
      this.streaming = null;
      onEnd(tail);
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
    return this.onFrame(buf.subarray(start, end));
  }
}
