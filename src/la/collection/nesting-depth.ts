/**
 * How deeply elements nest, found by a linear scan of the bytes before any XML parser sees them.
 * saxes resolves namespaces by walking its open-tag stack, so a document of 100,000 nested
 * elements takes it minutes (quadratic): a hostile document must be refused before that. The
 * scan skips comments, CDATA sections, processing instructions and declarations, and reads
 * quoted attribute values whole, so it counts exactly what a parser would open.
 */
const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const COMMENT = Buffer.from('<!--');
const CDATA = Buffer.from('<![CDATA[');

function startsWith(bytes: Buffer, prefix: Buffer, at: number): boolean {
  return (
    at + prefix.length <= bytes.length &&
    bytes.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0
  );
}

/** True when elements nest more than `max` deep somewhere in `bytes`. */
export function nestsDeeperThan(bytes: Buffer, max: number): boolean {
  let depth = 0;
  let i = bytes.indexOf(LT);
  while (i !== -1 && i < bytes.length - 1) {
    const next = bytes[i + 1];
    let end: number;
    if (next === SLASH) {
      depth--;
      end = bytes.indexOf(GT, i);
    } else if (next === QUESTION) {
      end = bytes.indexOf('?>', i + 2);
    } else if (next === BANG) {
      if (startsWith(bytes, COMMENT, i)) end = bytes.indexOf('-->', i + 4);
      else if (startsWith(bytes, CDATA, i)) end = bytes.indexOf(']]>', i + 9);
      else end = bytes.indexOf(GT, i);
    } else {
      // A start tag: find its end outside quoted attribute values.
      let quote = 0;
      end = -1;
      for (let j = i + 1; j < bytes.length; j++) {
        const b = bytes[j];
        if (quote !== 0) {
          if (b === quote) quote = 0;
        } else if (b === QUOTE || b === APOSTROPHE) quote = b;
        else if (b === GT) {
          end = j;
          break;
        }
      }
      if (end !== -1 && bytes[end - 1] !== SLASH && ++depth > max) return true;
    }
    if (end === -1) return false;
    i = bytes.indexOf(LT, end);
  }
  return false;
}
