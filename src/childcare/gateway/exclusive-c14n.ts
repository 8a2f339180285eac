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
import type { XmlElement } from './soap-envelope.ts';

export interface ExclusiveC14nOptions {
  /** InclusiveNamespaces PrefixList: prefixes rendered whenever in scope ('#default' for the default). */
  inclusivePrefixes?: readonly string[];
  /** An element left out with its subtree (the enveloped-signature transform's Signature). */
  omit?: XmlElement;
}

export function exclusiveCanonical(el: XmlElement, options: ExclusiveC14nOptions = {}): string {
  const inclusive = (options.inclusivePrefixes ?? []).map((p) => (p === '#default' ? '' : p));
  const out: string[] = [];
  render(el, new Map(), inclusive, options.omit, out);
  return out.join('');
}

/**
 * `rendered`: the namespace declarations in effect in the output so far (prefix → URI), i.e.
 * what the nearest output ancestors declared; a prefix absent from it is unbound ('' for the
 * default namespace, which is the empty namespace until something declares it).
 */
function render(
  el: XmlElement,
  rendered: ReadonlyMap<string, string>,
  inclusive: readonly string[],
  omit: XmlElement | undefined,
  out: string[],
): void {
  // Visibly utilised: the element's own prefix (or the default) and its attributes' prefixes.
  const needed = new Map<string, string>([[el.prefix, el.uri]]);
  for (const a of el.attributes) {
    if (a.prefix !== '' && a.prefix !== 'xml') needed.set(a.prefix, a.uri);
  }
  for (const prefix of inclusive) {
    const uri = el.namespaces.get(prefix);
    if (uri !== undefined && !needed.has(prefix)) needed.set(prefix, uri);
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

  let inner = rendered;
  if (declarations.length > 0) {
    const next = new Map(rendered);
    for (const [prefix, uri] of declarations) next.set(prefix, uri);
    inner = next;
  }
  for (const part of el.content) {
    if (typeof part === 'string') out.push(escapeText(part));
    else if (part !== omit) render(part, inner, inclusive, omit, out);
  }
  out.push('</', el.name, '>');
}

/** C14N orders by Unicode code point; JavaScript's `<` compares UTF-16 units, which differ above U+FFFF. */
function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
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
