/**
 * Where an extract document goes while it is built: its text encoded as UTF-8, counted,
 * hashed (SHA-256) and gzipped as it comes, so only the compressed document is ever held whole.
 *
 * Text is encoded into buffers of about a mebibyte, each made once and written into in place:
 * `Buffer.from` on every chunk cost three times as much (it measures the text, allocates, then
 * encodes, and each allocation is garbage to collect), about 1 s of main-thread time in a
 * national run. A full buffer is hashed and handed to gzip, which compresses on libuv's thread
 * pool while the next one fills; the builder waits only when gzip has several buffers queued.
 */
import { createHash } from 'node:crypto';
import type { TransformOptions } from 'node:stream';
import { createGzip, type ZlibOptions } from 'node:zlib';

const BUFFER_BYTES = 1024 * 1024;

export interface SinkResult {
  /** The document, gzip-compressed. */
  content: Buffer;
  sha256: string;
  /** Bytes of the uncompressed document. */
  sizeBytes: number;
}

export class ExtractSink {
  private readonly hash = createHash('sha256');
  private readonly gzip;
  private readonly compressed: Buffer[] = [];
  private readonly finished: Promise<void>;
  private failure: Error | undefined;
  private buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private sizeBytes = 0;

  constructor(gzipLevel: number) {
    // Four buffers may wait for gzip before the builder is held back (zlib streams take the
    // stream options too, though their type does not say so); output comes in 64 KiB pieces
    // rather than zlib's default 16 KiB, a quarter of the callbacks.
    const options: ZlibOptions & Pick<TransformOptions, 'writableHighWaterMark'> = {
      level: gzipLevel,
      chunkSize: 64 * 1024,
      writableHighWaterMark: 4 * BUFFER_BYTES,
    };
    this.gzip = createGzip(options);
    this.gzip.on('data', (chunk: Buffer) => this.compressed.push(chunk));
    this.finished = new Promise<void>((resolve, reject) => {
      this.gzip.on('end', resolve);
      this.gzip.on('error', (error: Error) => {
        this.failure = error;
        reject(error);
      });
    });
    // Reported by write() or end(); never an unhandled rejection meanwhile.
    this.finished.catch(() => undefined);
  }

  /** Adds text; returns a promise only when the caller should wait for gzip to catch up. */
  write(text: string): void | Promise<void> {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit: a bound that costs no measuring.
    const most = text.length * 3;
    if (this.used + most <= this.buffer.length) {
      this.used += this.buffer.write(text, this.used, 'utf8');
      return;
    }
    const waiting = this.pass();
    this.buffer = Buffer.allocUnsafe(Math.max(BUFFER_BYTES, most));
    this.used = this.buffer.write(text, 0, 'utf8');
    return waiting;
  }

  /** Ends the document: the last bytes are compressed and the whole is returned. */
  async end(): Promise<SinkResult> {
    await this.pass();
    this.gzip.end();
    await this.finished;
    return {
      content: Buffer.concat(this.compressed),
      sha256: this.hash.digest('hex'),
      sizeBytes: this.sizeBytes,
    };
  }

  /** Hands the filled part of the buffer on; resolves when gzip can take more. */
  private pass(): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (this.used === 0) return undefined;
    const bytes = this.buffer.subarray(0, this.used);
    this.sizeBytes += bytes.length;
    this.hash.update(bytes);
    this.used = 0;
    if (this.gzip.write(bytes)) return undefined;
    return new Promise<void>((resolve, reject) => {
      const drained = () => {
        this.gzip.off('error', failed);
        resolve();
      };
      const failed = (error: Error) => {
        this.gzip.off('drain', drained);
        reject(error);
      };
      this.gzip.once('drain', drained);
      this.gzip.once('error', failed);
    });
  }
}
