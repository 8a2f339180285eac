/**
 * Each stored extract made ready for RegisterData once, not on every request: inflating and
 * escaping a large LA's 10 MB document cost ~130 ms of CPU, which made the gateway 7× slower than
 * sending the bytes (bench/gateway); compressing it for a client that accepts gzip costs ~50–100
 * ms more, so its deflated form is kept too, made on the first such request. Keyed by the
 * extract's SHA-256, so a rebuilt extract is never served stale; bounded by bytes, least recently
 * used first out.
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { deflateContent, type DeflatedContent } from './register-data-gzip.ts';
import { registerDataContent } from './soap-response.ts';

const gunzipAsync = promisify(gunzip);

export interface ReadyRegisterData {
  /** RegisterData's content (registerDataContent). */
  content: Buffer;
  /** The content deflated for gzip replies (register-data-gzip.ts), made once when first asked for. */
  deflated(): Promise<DeflatedContent>;
}

interface Entry {
  ready: Promise<ReadyRegisterData>;
  /** Bytes counted against the bound; 0 while being built. */
  size: number;
}

export class RegisterDataCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The extract ready to send; `content` (the stored gzip) is read only on a miss. */
  async registerData(sha256: string, content: () => Promise<Buffer>): Promise<ReadyRegisterData> {
    const hit = this.entries.get(sha256);
    if (hit) {
      // Re-inserting moves it to the end: Map order is the LRU order.
      this.entries.delete(sha256);
      this.entries.set(sha256, hit);
      return hit.ready;
    }
    const entry = { size: 0 } as Entry;
    // The deflated form, made later, counts against this entry only while it is still cached.
    entry.ready = this.build(content, (bytes) => {
      if (this.entries.get(sha256) === entry) this.grow(sha256, entry, bytes);
    });
    this.entries.set(sha256, entry);
    try {
      const ready = await entry.ready;
      this.grow(sha256, entry, ready.content.length);
      return ready;
    } catch (error) {
      this.entries.delete(sha256);
      throw error;
    }
  }

  private async build(
    read: () => Promise<Buffer>,
    onDeflated: (bytes: number) => void,
  ): Promise<ReadyRegisterData> {
    const content = registerDataContent(await gunzipAsync(await read()));
    let deflated: Promise<DeflatedContent> | undefined;
    return {
      content,
      deflated: () => {
        if (!deflated) {
          deflated = deflateContent(content);
          deflated.then(
            (d) => onDeflated(d.raw.length),
            () => {
              deflated = undefined; // try again on the next request
            },
          );
        }
        return deflated;
      },
    };
  }

  private grow(sha256: string, entry: Entry, bytes: number): void {
    entry.size += bytes;
    this.bytes += bytes;
    this.evict(sha256);
  }

  /** Least recently used first, never `keep` (the entry just grown, about to be sent). */
  private evict(keep: string): void {
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) return;
      if (key === keep || entry.size === 0) continue; // just used, or still being built
      this.entries.delete(key);
      this.bytes -= entry.size;
    }
  }
}
