/**
 * Reads the gateway's answer to GetLocalAuthorityChildcareRegister: the Status (Code and
 * Description) and RegisterData (the extract as escaped text or CDATA), or a SOAP fault. The
 * envelope is untrusted like the document inside it: streamed with saxes, no DOCTYPE, a depth
 * limit, and only the few elements needed are kept.
 *
 * RegisterData comes back as the document's UTF-8 bytes. When it is a run of CDATA sections (as
 * edgate's gateway sends it), those bytes are taken straight from the envelope's and saxes reads
 * only the envelope around them: for a 10 MB extract that saves decoding it to a string, saxes
 * going through it character by character, joining its pieces and encoding it back (~120 ms of
 * CPU and three copies). Anything the shortcut cannot vouch for is read the plain way.
 */
import { isUtf8 } from 'node:buffer';
import { SaxesParser } from 'saxes';
import { nestsDeeperThan } from './nesting-depth.ts';
import { ISPP_NS, SOAP12_NS } from './soap-request.ts';

export const MAX_ENVELOPE_DEPTH = 32;

export type RegisterResponse =
  | { kind: 'result'; statusCode: string; description?: string; registerData?: Buffer }
  | { kind: 'fault'; code: string; reason: string };

export class ResponseError extends Error {}

export function readRegisterResponse(body: Buffer): RegisterResponse {
  if (nestsDeeperThan(body, MAX_ENVELOPE_DEPTH))
    throw new ResponseError('The gateway’s response is nested too deeply.');
  return registerDataFromCdata(body) ?? readEnvelope(body);
}

/** The plain way alone (what the shortcut must equal; for tests). */
export function readRegisterResponseWithSaxes(body: Buffer): RegisterResponse {
  if (nestsDeeperThan(body, MAX_ENVELOPE_DEPTH))
    throw new ResponseError('The gateway’s response is nested too deeply.');
  return readEnvelope(body);
}

const CDATA_OPEN = Buffer.from('<![CDATA[');
const CDATA_CLOSE = Buffer.from(']]>');
/** Stands in for the CDATA run while saxes reads the envelope: a processing instruction, which only content can hold. */
const PLACEHOLDER_TARGET = 'edgate-register-data';
const PLACEHOLDER = Buffer.from(`<?${PLACEHOLDER_TARGET}?>`);
/** Bytes that would make saxes refuse or change the text: CR (line ends normalised), C0 controls, U+FFFE and U+FFFF. */
const NOT_VERBATIM = [
  ...Array.from({ length: 0x20 }, (_, b) => b).filter((b) => b !== 0x09 && b !== 0x0a),
  Buffer.from([0xef, 0xbf, 0xbe]),
  Buffer.from([0xef, 0xbf, 0xbf]),
];

/** References a gateway writes between CDATA sections (edgate's keeps "<?" and CRs outside them). */
const REFERENCES: [Buffer, Buffer][] = [
  ['&lt;', '<'],
  ['&gt;', '>'],
  ['&amp;', '&'],
  ['&#13;', '\r'],
  ['&#xD;', '\r'],
].map(([reference, text]) => [Buffer.from(reference!), Buffer.from(text!)]);

function startsAt(body: Buffer, prefix: Buffer, at: number): boolean {
  return (
    at + prefix.length <= body.length && body.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0
  );
}

/**
 * The shortcut: the first run of adjacent CDATA sections (and the few references above between
 * them) in the envelope, cut out and replaced by a processing instruction. If saxes then finds
 * that instruction as RegisterData's only content, the parser was reading content where the run
 * starts, so it would have read exactly that run into RegisterData: the sections' bytes and the
 * references' characters are the text, provided each section is valid UTF-8 and holds nothing
 * saxes would refuse or normalise. Undefined whenever that is not so (then the envelope is read
 * the plain way, errors and all).
 */
export function registerDataFromCdata(body: Buffer): RegisterResponse | undefined {
  const start = body.indexOf(CDATA_OPEN);
  if (start < 0) return undefined;
  const pieces: Buffer[] = [];
  let at = start;
  // The run ends with its last section: references after it stay for saxes.
  let end = { at, pieces: 0 };
  for (;;) {
    if (startsAt(body, CDATA_OPEN, at)) {
      const close = body.indexOf(CDATA_CLOSE, at + CDATA_OPEN.length);
      if (close < 0) return undefined;
      const section = body.subarray(at + CDATA_OPEN.length, close);
      if (!isUtf8(section) || NOT_VERBATIM.some((b) => section.includes(b))) return undefined;
      pieces.push(section);
      at = close + CDATA_CLOSE.length;
      end = { at, pieces: pieces.length };
      continue;
    }
    const reference = REFERENCES.find(([r]) => startsAt(body, r, at));
    if (!reference) break;
    pieces.push(reference[1]);
    at += reference[0].length;
  }
  pieces.length = end.pieces;
  let answer: RegisterResponse;
  try {
    answer = readEnvelope(Buffer.concat([body.subarray(0, start), PLACEHOLDER, body.subarray(end.at)]), true);
  } catch {
    return undefined;
  }
  if (answer.kind !== 'result' || answer.registerData === undefined) return undefined;
  const text = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  return { ...answer, registerData: withUtf8Declaration(text) };
}

/**
 * Reads the envelope with saxes. With `placeholder`, RegisterData must hold the placeholder and
 * nothing else (its content is then left empty, for the caller to fill); otherwise the answer
 * is refused (thrown).
 */
function readEnvelope(body: Buffer, placeholder = false): RegisterResponse {
  const parser = new SaxesParser({ xmlns: true });
  const path: string[] = [];
  let statusCode: string | undefined;
  let description: string | undefined;
  let registerData: string[] | undefined;
  let faultCodes: string[] = [];
  let faultReason: string | undefined;
  let text = '';
  let sawResult = false;
  let sawFault = false;

  parser.on('doctype', () => {
    throw new ResponseError('The gateway’s response has a DOCTYPE, which is not allowed.');
  });
  parser.on('opentag', (tag) => {
    if (path.length >= MAX_ENVELOPE_DEPTH)
      throw new ResponseError('The gateway’s response is nested too deeply.');
    path.push(`${tag.uri === ISPP_NS ? 'i' : tag.uri === SOAP12_NS ? 's' : '?'}:${tag.local}`);
    const here = path.join('/');
    text = '';
    if (
      here ===
      's:Envelope/s:Body/i:GetLocalAuthorityChildcareRegisterResponse/i:GetLocalAuthorityChildcareRegisterResult'
    )
      sawResult = true;
    if (here === RESULT + '/i:RegisterData') registerData = [];
    if (here === 's:Envelope/s:Body/s:Fault') sawFault = true;
  });
  const onText = (t: string) => {
    const here = path.join('/');
    if (here === RESULT + '/i:RegisterData') registerData!.push(t);
    else if (text.length < 2000) text += t;
  };
  let placeholders = 0;
  parser.on('processinginstruction', (pi) => {
    if (!placeholder || pi.target !== PLACEHOLDER_TARGET) return;
    if (path.join('/') !== RESULT + '/i:RegisterData')
      throw new ResponseError('placeholder outside RegisterData');
    placeholders++;
  });
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const here = path.join('/');
    if (here === RESULT + '/i:Status/i:Code') statusCode = text.trim();
    else if (here === RESULT + '/i:Status/i:Description') description = text.trim();
    else if (here.startsWith('s:Envelope/s:Body/s:Fault/s:Code') && here.endsWith('s:Value'))
      faultCodes.push(text.trim());
    else if (here === 's:Envelope/s:Body/s:Fault/s:Reason/s:Text' && faultReason === undefined)
      faultReason = text.trim();
    text = '';
    path.pop();
  });
  try {
    parser.write(body.toString('utf8')).close();
  } catch (error) {
    if (error instanceof ResponseError) throw error;
    throw new ResponseError(`The gateway’s response is not well-formed XML (${(error as Error).message}).`);
  }
  if (placeholder && (placeholders !== 1 || registerData === undefined || registerData.length > 0))
    throw new ResponseError('RegisterData is not the CDATA run alone');
  if (sawFault) {
    faultCodes = faultCodes.map((c) => c.replace(/^[^:]*:/, ''));
    return { kind: 'fault', code: faultCodes.join('/'), reason: faultReason ?? 'no reason given' };
  }
  if (!sawResult || statusCode === undefined)
    throw new ResponseError('The gateway’s response is not a GetLocalAuthorityChildcareRegister result.');
  return {
    kind: 'result',
    statusCode,
    ...(description ? { description } : {}),
    ...(registerData ? { registerData: asUtf8Document(registerData.join('')) } : {}),
  };
}

/**
 * RegisterData is text: a .NET gateway writes "utf-16" into the declaration of a document it
 * holds as a string. Stored as UTF-8 bytes, the declaration must say so.
 */
export function asUtf8Document(text: string): Buffer {
  return Buffer.from(text.replace(DECLARED_ENCODING, '$1$2utf-8$2'), 'utf8');
}

const DECLARED_ENCODING = /^(\uFEFF?<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2/;
/** DECLARED_ENCODING over the bytes decoded as Latin-1 (the declaration is ASCII; a BOM is 3 bytes). */
const DECLARED_ENCODING_BYTES = /^((?:\xEF\xBB\xBF)?<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2/;

/** asUtf8Document for bytes already UTF-8: the same bytes, the declaration saying utf-8. */
function withUtf8Declaration(bytes: Buffer): Buffer {
  const end = bytes.indexOf(0x3e);
  if (end < 0) return bytes;
  const head = bytes.subarray(0, end + 1).toString('latin1');
  const fixed = head.replace(DECLARED_ENCODING_BYTES, '$1$2utf-8$2');
  return fixed === head ? bytes : Buffer.concat([Buffer.from(fixed, 'latin1'), bytes.subarray(end + 1)]);
}

const RESULT =
  's:Envelope/s:Body/i:GetLocalAuthorityChildcareRegisterResponse/i:GetLocalAuthorityChildcareRegisterResult';
