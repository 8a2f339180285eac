/**
 * Exclusive XML Canonicalization 1.0 without comments (https://www.w3.org/TR/xml-exc-c14n/) of
 * one element and its descendants, over the tree soap-envelope.ts parsed: the form a
 * WS-Security signature's digests and SignedInfo are computed over. Working on our own tree
 * means the bytes checked are made from the very elements the gateway acts on; no second parser
 * can read the request differently.
 *
 * Pure. Comments are already gone from the tree, processing instructions and DOCTYPEs are refused
 * by the parser, and the parser has normalised line ends and attribute values as XML requires.
 */
import { namespaceInScope, type XmlElement } from './soap-envelope.ts';

export interface ExclusiveC14nOptions {
  /** InclusiveNamespaces PrefixList: prefixes rendered whenever in scope ('#default' for the default). */
  inclusivePrefixes?: readonly string[];
  /** An element left out with its subtree (the enveloped-signature transform's Signature). */
  omit?: XmlElement;
}

/**
 * Linear in the size of the subtree and of the prefix list: each element does work for its own
 * name, attributes and declarations only, never for everything in scope (see `render`).
 */
export function exclusiveCanonical(el: XmlElement, options: ExclusiveC14nOptions = {}): string {
  const inclusive = new Set((options.inclusivePrefixes ?? []).map((p) => (p === '#default' ? '' : p)));
  const out: string[] = [];
  render(el, true, new Map(), inclusive, options.omit, out);
  return out.join('');
}

/**
 * `rendered`: the namespace declarations in effect in the output so far (prefix → URI), i.e.
 * what the nearest output ancestors declared; a prefix absent from it is unbound ('' for the
 * default namespace, which is the empty namespace until something declares it). One map for the
 * whole walk: an element sets its declarations and puts the previous values back when done.
 *
 * An inclusive prefix in scope is rendered on the apex; below it, the output already binds it as
 * the source does, unless an element re-declares it, so only an element's own declarations need
 * looking at.
 */
function render(
  el: XmlElement,
  apex: boolean,
  rendered: Map<string, string>,
  inclusive: ReadonlySet<string>,
  omit: XmlElement | undefined,
  out: string[],
): void {
  // Visibly utilised: the element's own prefix (or the default) and its attributes' prefixes.
  const needed = new Map<string, string>([[el.prefix, el.uri]]);
  for (const a of el.attributes) {
    if (a.prefix !== '' && a.prefix !== 'xml') needed.set(a.prefix, a.uri);
  }
  if (apex) {
    for (const prefix of inclusive) {
      const uri = namespaceInScope(el, prefix);
      if (uri !== undefined && !needed.has(prefix)) needed.set(prefix, uri);
    }
  } else if (inclusive.size > 0) {
    for (const [prefix, uri] of el.declarations) {
      if (inclusive.has(prefix) && !needed.has(prefix)) needed.set(prefix, uri);
    }
  }
  const declarations: [string, string][] = [];
  for (const [prefix, uri] of needed) {
    if ((rendered.get(prefix) ?? '') !== uri) declarations.push([prefix, uri]);
  }
  // The default namespace has no local name, so it sorts first.
  declarations.sort(([a], [b]) => compareCodePoints(a, b));
  const attributes = [...el.attributes].sort(
    (a, b) => compareCodePoints(a.uri, b.uri) || compareCodePoints(a.local, b.local),
  );

  out.push('<', el.name);
  for (const [prefix, uri] of declarations) {
    out.push(prefix === '' ? ' xmlns="' : ` xmlns:${prefix}="`, escapeAttribute(uri), '"');
  }
  for (const a of attributes) out.push(' ', a.name, '="', escapeAttribute(a.value), '"');
  out.push('>');

  const previous = declarations.map(([prefix]) => rendered.get(prefix));
  for (const [prefix, uri] of declarations) rendered.set(prefix, uri);
  for (const part of el.content) {
    if (typeof part === 'string') out.push(escapeText(part));
    else if (part !== omit) render(part, false, rendered, inclusive, omit, out);
  }
  declarations.forEach(([prefix], i) => {
    const before = previous[i];
    if (before === undefined) rendered.delete(prefix);
    else rendered.set(prefix, before);
  });
  out.push('</', el.name, '>');
}

/**
 * C14N orders by Unicode code point; JavaScript's `<` compares UTF-16 units, which differ above
 * U+FFFF only where a surrogate meets a unit from U+E000 to U+FFFF: lift surrogates above those.
 * No copies of the strings, which may be long attacker-chosen names.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x += x < 0xe000 ? 0x2000 : -0x800;
      y += y < 0xe000 ? 0x2000 : -0x800;
    }
    return x - y;
  }
  return a.length - b.length;
}

function escapeText(text: string): string {
  return /[&<>\r]/.test(text)
    ? text.replace(/[&<>\r]/g, (c) =>
        c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;',
      )
    : text;
}

function escapeAttribute(value: string): string {
  return /[&<"\t\n\r]/.test(value)
    ? value.replace(/[&<"\t\n\r]/g, (c) =>
        c === '&'
          ? '&amp;'
          : c === '<'
            ? '&lt;'
            : c === '"'
              ? '&quot;'
              : c === '\t'
                ? '&#x9;'
                : c === '\n'
                  ? '&#xA;'
                  : '&#xD;',
      )
    : value;
}
