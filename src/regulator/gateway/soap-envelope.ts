/**
 * Hardened parsing of inbound SOAP 1.2 requests for the ISPP gateway (the contract Ofsted
 * published: reference/ispp-contract/). The whole request is read into a small element tree,
 * because it is tiny (a few KB) and WS-Security needs random access to it.
 *
 * Hostile XML is refused before anything looks at the content: no DOCTYPE (so no entity can ever
 * be declared, let alone expanded), no processing instructions (SOAP 1.2 part 1 §5 forbids both),
 * only the five predefined entities, bounded depth, element count and size.
 */
import { SaxesParser } from 'saxes';
import type { SaxesTagNS } from 'saxes';

export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
export const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const WSA_NS = 'http://www.w3.org/2005/08/addressing';
export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
export const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
export const ISPP_NS = 'http://information.gateway.ofsted.gov.uk/ispp';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

export type EnvelopeErrorCode =
  | 'doctype'
  | 'entity'
  | 'processing-instruction'
  | 'too-large'
  | 'too-deep'
  | 'too-many-elements'
  | 'malformed'
  | 'version-mismatch'
  | 'not-soap'
  | 'invalid-envelope'
  | 'duplicate-header';

/** A refused request. `message` is safe to log and to put in a fault: no stack, bounded length. */
export class EnvelopeError extends Error {
  readonly code: EnvelopeErrorCode;
  constructor(code: EnvelopeErrorCode, message: string) {
    // Parser messages can quote attacker-chosen names: keep them short.
    super(message.length > 200 ? `${message.slice(0, 200)}…` : message);
    this.name = 'EnvelopeError';
    this.code = code;
  }
}

export interface XmlAttribute {
  /** Qualified name as written, e.g. `u:Id`. */
  readonly name: string;
  readonly local: string;
  readonly prefix: string;
  /** '' for an unprefixed attribute (attributes do not take the default namespace). */
  readonly uri: string;
  readonly value: string;
}

export interface XmlElement {
  readonly name: string;
  readonly local: string;
  readonly prefix: string;
  readonly uri: string;
  /** Attributes, without the namespace declarations (xmlns, xmlns:*). */
  readonly attributes: readonly XmlAttribute[];
  /** Character data directly inside this element (text and CDATA, concatenated, untrimmed). */
  readonly text: string;
  readonly children: readonly XmlElement[];
  /**
   * Child elements and character data in document order (comments left out): what a signature's
   * canonical form is made of, which `text` and `children` apart cannot say.
   */
  readonly content: readonly (XmlElement | string)[];
  /**
   * The namespace declarations written on this element, prefix ('' for the default) → URI ('' for
   * `xmlns=""`). What is in scope is found by walking up: see `namespaceInScope`.
   */
  readonly declarations: ReadonlyMap<string, string>;
  /** undefined for the root. */
  readonly parent: XmlElement | undefined;
  /** The `wsu:Id` attribute, if any. */
  readonly wsuId: string | undefined;
}

export interface ParsedEnvelope {
  readonly envelope: XmlElement;
  readonly header: XmlElement | undefined;
  /** The Header's child elements (header blocks), in document order. */
  readonly headers: readonly XmlElement[];
  readonly body: XmlElement;
  /** WS-Addressing 1.0 headers, trimmed; each appears at most once (else `duplicate-header`). */
  readonly addressing: {
    readonly action: string | undefined;
    readonly to: string | undefined;
    readonly toElement: XmlElement | undefined;
    readonly messageId: string | undefined;
    readonly replyTo: string | undefined;
  };
  /** Every `wsse:Security` header block (normally one; ws-security refuses more). */
  readonly securityHeaders: readonly XmlElement[];
  /** The single `wsse:Security` header, undefined when there is none or more than one. */
  readonly security: XmlElement | undefined;
  /** The Body's first child element: the operation, e.g. GetLocalAuthorityChildcareRegister. */
  readonly operation:
    { readonly local: string; readonly uri: string; readonly element: XmlElement } | undefined;
  /** GetLocalAuthorityChildcareRegister/localAuthorityRequest/LocalAuthorityCode, trimmed; undefined if absent or nil. */
  readonly localAuthorityCode: string | undefined;
  /**
   * Every value of an attribute named Id, ID or id (any namespace, as XML-DSig processors such
   * as xml-crypto resolve `URI="#…"`) → the elements carrying it. More than one element for a
   * value means the value is ambiguous and must not be trusted as a signature target.
   */
  readonly ids: ReadonlyMap<string, readonly XmlElement[]>;
  readonly elementCount: number;
}

export interface EnvelopeLimits {
  /** Deepest element nesting allowed; the Envelope is depth 1. Default 32. */
  maxDepth?: number;
  /** Most elements allowed in the document. Default 2000. */
  maxElements?: number;
  /** Longest document allowed, in UTF-16 code units. Default 1,000,000 (a real request is ~5 KB). */
  maxLength?: number;
}

interface MutableElement {
  name: string;
  local: string;
  prefix: string;
  uri: string;
  attributes: XmlAttribute[];
  text: string;
  children: MutableElement[];
  content: (MutableElement | string)[];
  declarations: ReadonlyMap<string, string>;
  parent: MutableElement | undefined;
  wsuId: string | undefined;
}

const NO_DECLARATIONS: ReadonlyMap<string, string> = new Map();

/**
 * The URI `prefix` ('' for the default namespace) is bound to at `el`, or undefined when nothing
 * declares it. Walks up the ancestors (at most the depth limit): elements keep only their own
 * declarations, because copying the inherited ones into every element that declares one more
 * costs declarations × elements, which a 57 KB envelope can make take most of a second.
 */
export function namespaceInScope(el: XmlElement, prefix: string): string | undefined {
  for (let at: XmlElement | undefined = el; at !== undefined; at = at.parent) {
    const uri = at.declarations.get(prefix);
    if (uri !== undefined) return uri;
  }
  return undefined;
}

const ID_ATTRIBUTE_NAMES = new Set(['Id', 'ID', 'id']);

/** Parse and check one inbound SOAP request. Throws EnvelopeError, and only that, for bad input. */
export function parseSoapEnvelope(xml: string, limits: EnvelopeLimits = {}): ParsedEnvelope {
  const maxDepth = limits.maxDepth ?? 32;
  const maxElements = limits.maxElements ?? 2000;
  const maxLength = limits.maxLength ?? 1_000_000;
  if (xml.length > maxLength)
    throw new EnvelopeError('too-large', `document longer than ${maxLength} characters`);

  const tree = parseTree(xml, maxDepth, maxElements, (tag) => {
    // Decided on the root's start tag, before the rest is read.
    if (tag.local === 'Envelope' && tag.uri === SOAP11_NS) {
      throw new EnvelopeError('version-mismatch', 'SOAP 1.1 envelope: this service speaks SOAP 1.2');
    }
    if (tag.local !== 'Envelope' || tag.uri !== SOAP12_NS) {
      throw new EnvelopeError('not-soap', 'root element is not a SOAP 1.2 Envelope');
    }
  });
  return interpretEnvelope(tree.root, tree.ids, tree.elementCount);
}

interface Tree {
  root: XmlElement;
  ids: Map<string, XmlElement[]>;
  elementCount: number;
}

/**
 * The hardened reader shared with ws-security (which re-reads the canonical XML a signature
 * covers). `onRoot` sees the root's start tag and may throw to stop early.
 */
export function parseTree(
  xml: string,
  maxDepth: number,
  maxElements: number,
  onRoot?: (tag: { local: string; uri: string }) => void,
): Tree {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: MutableElement[] = [];
  const ids = new Map<string, XmlElement[]>();
  let root: MutableElement | undefined;
  let elementCount = 0;

  parser.on('xmldecl', (decl) => {
    if (decl.version !== undefined && decl.version !== '1.0') {
      throw new EnvelopeError('malformed', `XML version ${decl.version} is not accepted (1.0 only)`);
    }
  });
  // saxes never expands DTD entities, but refusing any DOCTYPE outright also rules out
  // billion-laughs and external-entity tricks in any parser that sees this text later (the
  // signature is checked on this tree, but logs and tools may re-read the request).
  parser.on('doctype', () => {
    throw new EnvelopeError('doctype', 'DOCTYPE is not allowed in a SOAP message');
  });
  parser.on('processinginstruction', () => {
    throw new EnvelopeError(
      'processing-instruction',
      'processing instructions are not allowed in a SOAP message',
    );
  });
  parser.on('error', (err) => {
    // Without a handler saxes would throw its own Error; with one it would carry on, so stop here.
    const message = err.message;
    if (/doctype/i.test(message))
      throw new EnvelopeError('doctype', 'DOCTYPE is not allowed in a SOAP message');
    if (/undefined entity|entity name/i.test(message)) {
      throw new EnvelopeError('entity', `${message} (only &amp; &lt; &gt; &quot; &apos; are defined)`);
    }
    throw new EnvelopeError('malformed', `malformed XML: ${message}`);
  });
  parser.on('opentagstart', () => {
    // Counted before the attributes are read, so a flood of elements stops as early as possible.
    elementCount += 1;
    if (elementCount > maxElements) {
      throw new EnvelopeError('too-many-elements', `more than ${maxElements} elements`);
    }
    if (stack.length + 1 > maxDepth)
      throw new EnvelopeError('too-deep', `elements nested deeper than ${maxDepth}`);
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (root === undefined) onRoot?.({ local: tag.local, uri: tag.uri });
    const attributes: XmlAttribute[] = [];
    let wsuId: string | undefined;
    for (const a of Object.values(tag.attributes)) {
      if (a.uri === XMLNS_NS || a.name === 'xmlns') continue;
      attributes.push({ name: a.name, local: a.local, prefix: a.prefix, uri: a.uri, value: a.value });
      if (a.local === 'Id' && a.uri === WSU_NS) wsuId = a.value;
    }
    const parent = stack[stack.length - 1];
    const declared = Object.entries(tag.ns);
    const el: MutableElement = {
      name: tag.name,
      local: tag.local,
      prefix: tag.prefix,
      uri: tag.uri,
      attributes,
      text: '',
      children: [],
      content: [],
      declarations: declared.length === 0 ? NO_DECLARATIONS : new Map(declared),
      parent,
      wsuId,
    };
    for (const a of attributes) {
      if (!ID_ATTRIBUTE_NAMES.has(a.local)) continue;
      const holders = ids.get(a.value);
      if (holders === undefined) ids.set(a.value, [el]);
      // The same element with Id="x" and wsu:Id="x" is still one target. Its attributes come
      // together, so if it is there it is last: no search through every holder.
      else if (holders[holders.length - 1] !== el) holders.push(el);
    }
    if (parent) {
      parent.children.push(el);
      parent.content.push(el);
    } else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const onCharacters = (text: string) => {
    const current = stack[stack.length - 1];
    if (!current) return;
    current.text += text;
    const last = current.content.length - 1;
    // Text, CDATA and text around a comment are one run of characters to canonicalisation.
    if (typeof current.content[last] === 'string') current.content[last] += text;
    else current.content.push(text);
  };
  parser.on('text', onCharacters);
  parser.on('cdata', onCharacters);

  try {
    parser.write(xml).close();
  } catch (err) {
    if (err instanceof EnvelopeError) throw err;
    // Anything else saxes might throw: keep its message, never its stack.
    throw new EnvelopeError(
      'malformed',
      `malformed XML: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (root === undefined) throw new EnvelopeError('malformed', 'malformed XML: no root element');
  return { root, ids, elementCount };
}

function interpretEnvelope(
  envelope: XmlElement,
  ids: Map<string, XmlElement[]>,
  elementCount: number,
): ParsedEnvelope {
  // SOAP 1.2 part 1 §5.1: Envelope = Header? Body, and nothing else but whitespace.
  if (envelope.text.trim() !== '')
    throw new EnvelopeError('invalid-envelope', 'text directly inside Envelope');
  const parts = envelope.children;
  const [first, second, ...rest] = parts;
  let header: XmlElement | undefined;
  let body: XmlElement | undefined;
  if (first && isSoap(first, 'Header')) {
    header = first;
    body = second && isSoap(second, 'Body') ? second : undefined;
    if (body === undefined || rest.length > 0) {
      throw new EnvelopeError(
        'invalid-envelope',
        'Envelope must contain an optional Header followed by one Body',
      );
    }
  } else if (first && isSoap(first, 'Body') && second === undefined) {
    body = first;
  } else {
    throw new EnvelopeError(
      'invalid-envelope',
      'Envelope must contain an optional Header followed by one Body',
    );
  }
  if (header && header.text.trim() !== '')
    throw new EnvelopeError('invalid-envelope', 'text directly inside Header');
  if (body.text.trim() !== '') throw new EnvelopeError('invalid-envelope', 'text directly inside Body');

  const headers = header?.children ?? [];
  const single = (local: string): XmlElement | undefined => {
    const found = headers.filter((h) => h.uri === WSA_NS && h.local === local);
    if (found.length > 1)
      throw new EnvelopeError('duplicate-header', `wsa:${local} header appears more than once`);
    return found[0];
  };
  const actionEl = single('Action');
  const toEl = single('To');
  const messageIdEl = single('MessageID');
  const replyToEl = single('ReplyTo');
  const replyToAddress = replyToEl ? childrenNamed(replyToEl, WSA_NS, 'Address') : [];
  if (replyToAddress.length > 1)
    throw new EnvelopeError('duplicate-header', 'wsa:ReplyTo has more than one Address');

  const securityHeaders = headers.filter((h) => h.uri === WSSE_NS && h.local === 'Security');
  const operationEl = body.children[0];

  return {
    envelope,
    header,
    headers,
    body,
    addressing: {
      action: actionEl?.text.trim(),
      to: toEl?.text.trim(),
      toElement: toEl,
      messageId: messageIdEl?.text.trim(),
      replyTo: replyToAddress[0]?.text.trim(),
    },
    securityHeaders,
    security: securityHeaders.length === 1 ? securityHeaders[0] : undefined,
    operation: operationEl
      ? { local: operationEl.local, uri: operationEl.uri, element: operationEl }
      : undefined,
    localAuthorityCode: operationEl ? readLocalAuthorityCode(operationEl) : undefined,
    ids,
    elementCount,
  };
}

function readLocalAuthorityCode(operation: XmlElement): string | undefined {
  if (operation.uri !== ISPP_NS || operation.local !== 'GetLocalAuthorityChildcareRegister') return undefined;
  const request = childrenNamed(operation, ISPP_NS, 'localAuthorityRequest')[0];
  if (!request || isNil(request)) return undefined;
  const code = childrenNamed(request, ISPP_NS, 'LocalAuthorityCode')[0];
  if (!code || isNil(code)) return undefined;
  return code.text.trim();
}

function isNil(el: XmlElement): boolean {
  const nil = attributeValue(el, XSI_NS, 'nil');
  return nil === 'true' || nil === '1';
}

function isSoap(el: XmlElement, local: string): boolean {
  return el.uri === SOAP12_NS && el.local === local;
}

/** Child elements with this namespace URI and local name. */
export function childrenNamed(el: XmlElement, uri: string, local: string): XmlElement[] {
  return el.children.filter((c) => c.uri === uri && c.local === local);
}

/** The value of the attribute with this namespace URI ('' for unprefixed) and local name. */
export function attributeValue(el: XmlElement, uri: string, local: string): string | undefined {
  return el.attributes.find((a) => a.uri === uri && a.local === local)?.value;
}

/**
 * Header blocks marked mustUnderstand (SOAP 1.2: "true" or "1") that are not in `understood`
 * (`{uri}local` keys): the endpoint must answer a MustUnderstand fault for any of them.
 */
export function notUnderstoodHeaders(parsed: ParsedEnvelope, understood: ReadonlySet<string>): XmlElement[] {
  return parsed.headers.filter((h) => {
    const mu = attributeValue(h, SOAP12_NS, 'mustUnderstand');
    return (mu === 'true' || mu === '1') && !understood.has(`{${h.uri}}${h.local}`);
  });
}
