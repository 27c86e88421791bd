/**
 * A terminal's recent output, addressed by byte offset since the session began.
 * Capacity is fixed at construction: a flood only ever overwrites, never grows.
 */
export class ByteRing {
  private readonly buf: Buffer;
  /** Total bytes ever appended: the offset just past the newest byte. */
  private total = 0;

  constructor(readonly capacity: number) {
    this.buf = Buffer.alloc(capacity);
  }

  /** Offset just past the newest byte. */
  get end(): number {
    return this.total;
  }

  /** Offset of the oldest byte still kept. */
  get start(): number {
    return Math.max(0, this.total - this.capacity);
  }

  append(chunk: Buffer): void {
    const part = chunk.length > this.capacity ? chunk.subarray(chunk.length - this.capacity) : chunk;
    const at = (this.total + (chunk.length - part.length)) % this.capacity;
    const first = Math.min(part.length, this.capacity - at);
    part.copy(this.buf, at, 0, first);
    if (first < part.length) part.copy(this.buf, 0, first);
    this.total += chunk.length;
  }

  /**
   * A copy of the bytes from `from` (clamped to what is kept) to the end, at
   * most `max` of them; `from` is where the copy starts.
   */
  read(from: number, max = this.capacity): { from: number; bytes: Buffer } {
    const start = Math.min(Math.max(from, this.start), this.total);
    const length = Math.min(this.total - start, max);
    const out = Buffer.allocUnsafe(length);
    const at = start % this.capacity;
    const first = Math.min(length, this.capacity - at);
    this.buf.copy(out, 0, at, at + first);
    if (first < length) this.buf.copy(out, first, 0, length - first);
    return { from: start, bytes: out };
  }
}
