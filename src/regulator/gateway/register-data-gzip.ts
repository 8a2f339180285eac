/**
 * A gzipped RegisterData reply without compressing the extract on every request. Compressing a
 * large LA's 10 MB for each client that accepts gzip cost ~50–100 ms of CPU a request; instead
 * the content is deflated once per extract (RegisterDataCache) and each reply is one gzip member
 * stitched around it: the per-request envelope head deflated and sync-flushed (which ends on a
 * byte boundary with no final block), the cached deflate stream (also sync-flushed), then the
 * tail deflated as the final block. Deflate blocks only refer back within what came before them,
 * so the pieces decode as one stream; the CRC-32 is combined from the pieces' CRCs.
 */
import { promisify } from 'node:util';
import { constants, crc32, deflateRaw, deflateRawSync } from 'node:zlib';

const deflateRawAsync = promisify(deflateRaw);

export interface DeflatedContent {
  /** Raw deflate of the content, sync-flushed: byte-aligned, no final block. */
  raw: Buffer;
  crc32: number;
  /** Uncompressed length. */
  length: number;
}

export async function deflateContent(content: Buffer): Promise<DeflatedContent> {
  const raw = await deflateRawAsync(content, { level: 6, finishFlush: constants.Z_SYNC_FLUSH });
  return { raw, crc32: crc32(content), length: content.length };
}

// gzip header: magic, deflate, no flags, no mtime, no extra flags, OS unknown (RFC 1952 §2.3).
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);

/** One gzip member holding head + content + tail; `content`'s bytes are shared, not copied. */
export function gzipMember(head: Buffer, content: DeflatedContent, tail: Buffer): Buffer[] {
  const headRaw = deflateRawSync(head, { finishFlush: constants.Z_SYNC_FLUSH });
  const tailRaw = deflateRawSync(tail);
  let crc = crc32Combine(crc32(head), content.crc32, content.length);
  crc = crc32Combine(crc, crc32(tail), tail.length);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc, 0);
  // ISIZE is the length modulo 2^32.
  trailer.writeUInt32LE((head.length + content.length + tail.length) % 2 ** 32, 4);
  return [GZIP_HEADER, headRaw, content.raw, tailRaw, trailer];
}

// CRC-32 of A‖B from CRC(A), CRC(B) and |B| (zlib's crc32_combine, its 1.2.12 form): multiply
// CRC(A) by x^(8|B|) modulo the CRC polynomial, in the bit-reflected representation.
const POLY = 0xedb88320;

function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if ((a & m) !== 0) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) modulo the polynomial, k = 0…31. */
const X2N: number[] = (() => {
  const table: number[] = [];
  let p = 0x40000000; // x^1
  table.push(p);
  for (let k = 1; k < 32; k++) table.push((p = multModP(p, p)));
  return table;
})();

/** x^(8·bytes) modulo the polynomial: the shift of a CRC past `bytes` zero bytes. */
function shiftFor(bytes: number): number {
  let p = 0x80000000; // x^0
  let k = 3; // 8 = 2^3
  for (let n = bytes; n > 0; n = Math.floor(n / 2), k++) {
    if (n % 2 === 1) p = multModP(X2N[k % 32]!, p);
  }
  return p;
}

export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multModP(shiftFor(lengthB), crcA) ^ crcB) >>> 0;
}
