// Splits a byte stream into newline-delimited JSON-RPC frames (the MCP stdio transport)
// and forwards the ones the caller lets pass as the original bytes, batched per chunk.
//
// Why not the SDK's ReadBuffer/StdioClientTransport on this path: they JSON.parse and
// re-serialise every message, and ReadBuffer re-concatenates its buffer on every chunk.
// A proxy that passes 1 MiB tool results through must not pay that; here a frame that is
// passed on is never decoded, copied only when it spans chunks, and written in one call
// together with its neighbours from the same chunk.

/** What to do with one frame: pass the original bytes, drop it, or send these bytes instead. */
export type FrameVerdict = true | null | Buffer;

const NL = 0x0a;

export class LineFramer {
  private parts: Buffer[] = [];
  private partsLength = 0;

  /**
   * @param onFrame sees each frame without its line ending; must not write to `out` itself.
   * @param out receives whole lines only (a run of frames always ends with "\n").
   */
  constructor(
    private readonly onFrame: (frame: Buffer) => FrameVerdict,
    private readonly out: (bytes: Buffer) => void,
  ) {}

  /** Bytes buffered for an unfinished line (for limits and tests). */
  get buffered(): number {
    return this.partsLength;
  }

  push(chunk: Buffer): void {
    let pos = 0;
    if (this.parts.length > 0) {
      const nl = chunk.indexOf(NL);
      if (nl === -1) {
        this.parts.push(chunk);
        this.partsLength += chunk.length;
        return;
      }
      this.parts.push(chunk.subarray(0, nl + 1));
      const whole = Buffer.concat(this.parts, this.partsLength + nl + 1);
      this.parts = [];
      this.partsLength = 0;
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
    }
  }

  /** A last line without a newline when the stream ends is still a frame. */
  end(): void {
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
