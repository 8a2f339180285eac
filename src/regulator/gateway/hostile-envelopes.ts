/**
 * Hostile SOAP envelopes for tests and bench/gateway-hostile.ts: each a well-formed document of
 * about `bytes` bytes that stays within the parser's limits (depth 32, 2,000 elements), shaped to
 * make one part of the request's handling do as much work as possible per byte. The gateway must
 * answer every one of them in time linear in its size.
 */
import { SOAP12_NS } from './soap-envelope.ts';

export type HostileShape =
  | 'plain'
  | 'namespace-declarations'
  | 'many-prefixes'
  | 'many-attributes'
  | 'long-names'
  | 'deep-nesting'
  | 'huge-attribute-value'
  | 'many-text-nodes'
  | 'cdata'
  | 'repeated-ids';

export const HOSTILE_SHAPES: readonly HostileShape[] = [
  'namespace-declarations',
  'many-prefixes',
  'many-attributes',
  'long-names',
  'deep-nesting',
  'huge-attribute-value',
  'many-text-nodes',
  'cdata',
  'repeated-ids',
];

/** The most elements parseSoapEnvelope allows, less the Envelope and Body. */
const ELEMENTS = 1990;

/** Repeats `unit(i)` for i = 0, 1, … while the total stays within `budget` characters. */
function fill(budget: number, unit: (i: number) => string, most = Infinity): string {
  const parts: string[] = [];
  let used = 0;
  for (let i = 0; i < most; i++) {
    const part = unit(i);
    if (used + part.length > budget) break;
    parts.push(part);
    used += part.length;
  }
  return parts.join('');
}

/**
 * An envelope of at most `bytes` characters (all ASCII, so bytes) whose Envelope start tag
 * carries `envelopeAttributes` and whose Body holds what `body(budget)` makes of the room left.
 */
function envelope(
  bytes: number,
  envelopeAttributes: (budget: number) => string,
  body: (budget: number) => string,
): string {
  const open = (attributes: string) => `<s:Envelope xmlns:s="${SOAP12_NS}"${attributes}><s:Body>`;
  const close = '</s:Body></s:Envelope>';
  const room = bytes - open('').length - close.length;
  const attributes = envelopeAttributes(Math.floor(room / 2));
  const head = open(attributes);
  return head + body(bytes - head.length - close.length) + close;
}

export function hostileEnvelope(shape: HostileShape, bytes = 64 * 1024): string {
  switch (shape) {
    case 'plain':
      // The baseline: ordinary elements with a little text, no declarations.
      return envelope(
        bytes,
        () => '',
        (budget) => {
          const text = Math.max(1, Math.floor(budget / ELEMENTS) - '<item></item>'.length);
          return fill(budget, (i) => `<item>${String(i).padEnd(text, '.')}</item>`, ELEMENTS);
        },
      );
    case 'namespace-declarations':
      // Many prefixes in scope, then many elements each declaring one more: a parser copying
      // the inherited bindings per declaring element does declarations × elements work.
      return envelope(
        bytes,
        (budget) => fill(budget, (i) => ` xmlns:p${i}="u"`),
        (budget) => fill(budget, (i) => `<a xmlns:q="u${i % 10}"/>`, ELEMENTS),
      );
    case 'many-prefixes': {
      // Every element uses a different prefix declared on the Envelope, on itself and on an
      // attribute: canonicalisation must declare each, parsing must resolve each.
      let declared = 1;
      return envelope(
        bytes,
        (budget) => {
          const declarations = fill(budget, (i) => ` xmlns:n${i}="urn:${i}"`);
          declared = Math.max(1, declarations.split('xmlns:').length - 1);
          return declarations;
        },
        (budget) => fill(budget, (i) => `<n${i % declared}:e n${(i + 1) % declared}:a=""/>`, ELEMENTS),
      );
    }
    case 'many-attributes':
      // One element with thousands of attributes, some namespaced, named to sort slowly.
      return envelope(
        bytes,
        () => ' xmlns:z="urn:z"',
        (budget) => `<x ${fill(budget - 8, (i) => (i % 2 ? `z:a${i}="" ` : `aaaaaaaa${i}="" `))}/>`,
      );
    case 'long-names':
      // Element and attribute names tens of kilobytes long.
      return envelope(
        bytes,
        () => '',
        (budget) => {
          const name = `n${'x'.repeat(Math.floor((budget - 16) / 2))}`;
          return `<${name} ${name}="1"/>`;
        },
      );
    case 'deep-nesting': {
      // Chains 30 deep (the Envelope and Body take 2 of the 32 levels), each level declaring a
      // prefix, as many chains as fit.
      const chain = (c: number) => {
        let open = '';
        let close = '';
        for (let d = 0; d < 30; d++) {
          open += `<d${d}:e xmlns:d${d}="u${c}">`;
          close = `</d${d}:e>` + close;
        }
        return open + close;
      };
      return envelope(
        bytes,
        () => '',
        (budget) => fill(budget, chain, Math.floor(ELEMENTS / 30)),
      );
    }
    case 'huge-attribute-value':
      // One attribute value filling the document, mostly character references.
      return envelope(
        bytes,
        () => '',
        (budget) => `<v a="${fill(budget - 12, (i) => (i % 3 ? '&amp;' : '&#x41;'))}"/>`,
      );
    case 'many-text-nodes':
      // Text broken into thousands of runs by comments.
      return envelope(
        bytes,
        () => '',
        (budget) => `<t>${fill(budget - 7, () => 'a<!---->')}</t>`,
      );
    case 'cdata':
      // Thousands of CDATA sections between text, in one element.
      return envelope(
        bytes,
        () => '',
        (budget) => `<t>${fill(budget - 7, () => 'b<![CDATA[<&]]>')}</t>`,
      );
    case 'repeated-ids':
      // Every element carries the same Id under several names and namespaces.
      return envelope(
        bytes,
        (budget) => fill(Math.min(budget, 2000), (i) => ` xmlns:i${i}="urn:i${i}"`, 20),
        (budget) =>
          fill(
            budget,
            () => `<r Id="x" ${Array.from({ length: 20 }, (_, j) => `i${j}:Id="x"`).join(' ')}/>`,
            ELEMENTS,
          ),
      );
  }
}
