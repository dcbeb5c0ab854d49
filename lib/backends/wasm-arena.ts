// A first-fit allocator over the module's memory: the static arena that holds packed weights
// (long-lived) and each call's inputs, workspace and outputs (freed when the call ends). Grows
// the memory when it runs out; typed-array views are made from memory.buffer as it is at each use
// (the whole-memory view is kept while the buffer is the same), so growth (which replaces the
// buffer) never leaves a stale view behind.

const ALIGN = 64; // a cache line: SIMD loads never straddle two needlessly
const PAGE = 65536;

interface Block {
  start: number;
  size: number;
}

export class Arena {
  private free: Block[] = [];
  private used = new Map<number, number>();
  private end: number;
  private whole: Int32Array | null = null;

  constructor(private readonly memory: WebAssembly.Memory, base: number, private readonly maxBytes: number) {
    const start = Math.ceil(base / ALIGN) * ALIGN;
    this.end = memory.buffer.byteLength;
    if (this.end > start) this.free.push({ start, size: this.end - start });
  }

  /** Bytes currently allocated (tests check that calls leave nothing behind). */
  get allocatedBytes(): number {
    let total = 0;
    for (const size of this.used.values()) total += size;
    return total;
  }

  alloc(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let i = this.free.findIndex((b) => b.size >= size);
    if (i < 0) i = this.grow(size);
    const block = this.free[i];
    const ptr = block.start;
    if (block.size === size) this.free.splice(i, 1);
    else {
      block.start += size;
      block.size -= size;
    }
    this.used.set(ptr, size);
    return ptr;
  }

  release(ptr: number): void {
    const size = this.used.get(ptr);
    if (size === undefined) throw new Error(`convkit wasm: release of unknown block ${ptr}`);
    this.used.delete(ptr);
    // Insert in address order and merge with the neighbours.
    let i = 0;
    while (i < this.free.length && this.free[i].start < ptr) i++;
    this.free.splice(i, 0, { start: ptr, size });
    if (i + 1 < this.free.length && ptr + size === this.free[i + 1].start) {
      this.free[i].size += this.free[i + 1].size;
      this.free.splice(i + 1, 1);
    }
    if (i > 0 && this.free[i - 1].start + this.free[i - 1].size === ptr) {
      this.free[i - 1].size += this.free[i].size;
      this.free.splice(i, 1);
    }
  }

  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }

  /** A view of the whole memory, made again only when growth has replaced the buffer. */
  i32(): Int32Array {
    const buffer = this.memory.buffer;
    if (this.whole?.buffer !== buffer) this.whole = new Int32Array(buffer);
    return this.whole;
  }

  /** Grows the memory so that a free block of `size` bytes ends it; returns that block's index. */
  private grow(size: number): number {
    const last = this.free[this.free.length - 1];
    const tail = last && last.start + last.size === this.end ? last.size : 0;
    const pages = Math.ceil((size - tail) / PAGE);
    if (this.end + pages * PAGE > this.maxBytes) {
      throw new RangeError(`convkit wasm: out of memory (${size} more bytes needed; the module's memory is limited to ${this.maxBytes / 2 ** 20} MiB)`);
    }
    this.memory.grow(pages);
    const added = pages * PAGE;
    if (tail) last.size += added;
    else this.free.push({ start: this.end, size: added });
    this.end += added;
    return this.free.length - 1;
  }
}
