/**
 * Each stored extract made ready for RegisterData once, not on every request: inflating and
 * escaping a large LA's 10 MB document cost ~130 ms of CPU, which made the gateway 7× slower than
 * sending the bytes (bench/gateway). Keyed by the extract's SHA-256, so a rebuilt extract is
 * never served stale; bounded by bytes, least recently used first out.
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { registerDataContent } from './soap-response.ts';

const gunzipAsync = promisify(gunzip);

export class RegisterDataCache {
  private readonly entries = new Map<string, Promise<Buffer>>();
  private readonly sizes = new Map<string, number>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** RegisterData's content (registerDataContent); `content` (gzip) is read only on a miss. */
  async registerData(sha256: string, content: () => Promise<Buffer>): Promise<Buffer> {
    const hit = this.entries.get(sha256);
    if (hit) {
      // Re-inserting moves it to the end: Map order is the LRU order.
      this.entries.delete(sha256);
      this.entries.set(sha256, hit);
      return hit;
    }
    const built = (async () => registerDataContent(await gunzipAsync(await content())))();
    this.entries.set(sha256, built);
    try {
      const buffer = await built;
      this.sizes.set(sha256, buffer.length);
      this.bytes += buffer.length;
      this.evict();
      return buffer;
    } catch (error) {
      this.entries.delete(sha256);
      throw error;
    }
  }

  private evict(): void {
    for (const key of this.entries.keys()) {
      if (this.bytes <= this.maxBytes || this.entries.size <= 1) return;
      const size = this.sizes.get(key);
      if (size === undefined) continue; // still being built
      this.entries.delete(key);
      this.sizes.delete(key);
      this.bytes -= size;
    }
  }
}
