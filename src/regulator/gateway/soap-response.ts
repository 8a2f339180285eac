/**
 * SOAP 1.2 responses of the ISPP gateway, written as text: the envelope around a result, the
 * extract carried in RegisterData as CDATA (never the whole document as one string), and faults.
 */
import { randomUUID } from 'node:crypto';
import { ISPP_NS, SOAP12_NS, WSA_NS, WSSE_NS } from './soap-envelope.ts';

export const SOAP_CONTENT_TYPE = 'application/soap+xml; charset=utf-8';

export const ACTIONS = {
  GetLocalAuthorityChildcareRegister: `${ISPP_NS}/ISPPGatewayServices/GetLocalAuthorityChildcareRegister`,
  GetServiceStatus: `${ISPP_NS}/ISPPGatewayServices/GetServiceStatus`,
} as const;
export type Operation = keyof typeof ACTIONS;
export const FAULT_ACTION = 'http://www.w3.org/2005/08/addressing/soap/fault';

export function escapeXmlText(value: string): string {
  return /[&<>\r]/.test(value)
    ? value.replace(/[&<>\r]/g, (c) =>
        c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;',
      )
    : value;
}

/** WS-Addressing reply headers: the response's Action and RelatesTo the request's MessageID. */
function replyHeader(action: string, relatesTo: string | undefined): string {
  return (
    `<s:Header><a:Action s:mustUnderstand="1">${escapeXmlText(action)}</a:Action>` +
    (relatesTo ? `<a:RelatesTo>${escapeXmlText(relatesTo)}</a:RelatesTo>` : '') +
    `<a:MessageID>urn:uuid:${randomUUID()}</a:MessageID></s:Header>`
  );
}

const ENVELOPE_OPEN = `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${SOAP12_NS}" xmlns:a="${WSA_NS}">`;
const ENVELOPE_CLOSE = '</s:Envelope>';

export interface StatusResult {
  code: string;
  description?: string;
}

function statusElement(status: StatusResult): string {
  return (
    `<Status><Code>${escapeXmlText(status.code)}</Code>` +
    (status.description ? `<Description>${escapeXmlText(status.description)}</Description>` : '') +
    '</Status>'
  );
}

/** A GetLocalAuthorityChildcareRegister response without data (any status but Success). */
export function registerStatusResponse(status: StatusResult, relatesTo: string | undefined): string {
  return (
    ENVELOPE_OPEN +
    replyHeader(`${ACTIONS.GetLocalAuthorityChildcareRegister}Response`, relatesTo) +
    `<s:Body><GetLocalAuthorityChildcareRegisterResponse xmlns="${ISPP_NS}"><GetLocalAuthorityChildcareRegisterResult>` +
    statusElement(status) +
    '</GetLocalAuthorityChildcareRegisterResult></GetLocalAuthorityChildcareRegisterResponse></s:Body>' +
    ENVELOPE_CLOSE
  );
}

const CDATA_OPEN = Buffer.from('<![CDATA[');
const CDATA_CLOSE = Buffer.from(']]>');

/**
 * What a CDATA section cannot (or should not) carry as it is, and how it leaves and re-enters one:
 * `at` is where in the match the section is cut, `write` what goes between the two sections, and
 * the match's remaining bytes stay in the next section.
 */
const CDATA_BREAKS = [
  // "]]>" would end the section: close it after "]]", reopen it before ">".
  { find: Buffer.from(']]>'), at: 2, write: Buffer.from(']]><![CDATA[') },
  // A CR would reach the client as LF (XML end-of-line handling): send it as a reference.
  { find: Buffer.from('\r'), at: 0, skip: 1, write: Buffer.from(']]>&#13;<![CDATA[') },
  // node-soap reads a CDATA section holding "<?xml …?>" as a nested document and hands the
  // caller an object, not the string: keep every "<?" (the XML declaration) outside CDATA.
  { find: Buffer.from('<?'), at: 0, skip: 1, write: Buffer.from(']]>&lt;<![CDATA[') },
];

/**
 * The stored document as RegisterData's content: the same characters to any XML reader as the
 * document escaped (`&lt;` …), but CDATA sections carry its bytes unchanged, ~25% fewer than
 * escaping (every tag's `<` and `>` would grow to four bytes) and with no per-character pass.
 * The document is UTF-8 and is only ever cut at ASCII bytes.
 */
export function registerDataContent(document: Buffer): Buffer {
  const parts: Buffer[] = [CDATA_OPEN];
  const next = CDATA_BREAKS.map((b) => document.indexOf(b.find));
  let from = 0;
  for (;;) {
    let which = -1;
    for (let i = 0; i < next.length; i++) {
      if (next[i]! >= 0 && (which < 0 || next[i]! < next[which]!)) which = i;
    }
    if (which < 0) break;
    const found = next[which]!;
    const rule = CDATA_BREAKS[which]!;
    parts.push(document.subarray(from, found + rule.at), rule.write);
    from = found + rule.at + (rule.skip ?? 0);
    for (let i = 0; i < next.length; i++) {
      if (next[i]! >= 0 && next[i]! < from) next[i] = document.indexOf(CDATA_BREAKS[i]!.find, from);
    }
  }
  parts.push(document.subarray(from), CDATA_CLOSE);
  return Buffer.concat(parts);
}

/** Sent in slices of this size: one huge write stalls the event loop; tiny ones cost syscalls. */
const SLICE = 64 * 1024;

/** What goes before and after RegisterData's content in a successful response. */
export function registerDataEnvelope(relatesTo: string | undefined): { head: Buffer; tail: Buffer } {
  return {
    head: Buffer.from(
      ENVELOPE_OPEN +
        replyHeader(`${ACTIONS.GetLocalAuthorityChildcareRegister}Response`, relatesTo) +
        `<s:Body><GetLocalAuthorityChildcareRegisterResponse xmlns="${ISPP_NS}"><GetLocalAuthorityChildcareRegisterResult><RegisterData>`,
    ),
    tail: Buffer.from(
      `</RegisterData>${statusElement({ code: 'Success' })}</GetLocalAuthorityChildcareRegisterResult></GetLocalAuthorityChildcareRegisterResponse></s:Body>` +
        ENVELOPE_CLOSE,
    ),
  };
}

/**
 * A successful GetLocalAuthorityChildcareRegister response around RegisterData's content, made
 * once per extract by registerDataContent (see RegisterDataCache), as a list of chunks that share
 * its memory rather than copy it.
 */
export function registerDataResponse(content: Buffer, relatesTo: string | undefined): Buffer[] {
  const { head, tail } = registerDataEnvelope(relatesTo);
  return [head, ...slices(content), tail];
}

/** Views of `buffer` of at most SLICE bytes each. */
export function slices(buffer: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let start = 0; start < buffer.length; start += SLICE) out.push(buffer.subarray(start, start + SLICE));
  return out;
}

export function serviceStatusResponse(text: string, relatesTo: string | undefined): string {
  return (
    ENVELOPE_OPEN +
    replyHeader(`${ACTIONS.GetServiceStatus}Response`, relatesTo) +
    `<s:Body><GetServiceStatusResponse xmlns="${ISPP_NS}"><GetServiceStatusResult>${escapeXmlText(text)}</GetServiceStatusResult></GetServiceStatusResponse></s:Body>` +
    ENVELOPE_CLOSE
  );
}

export type FaultCode = 'VersionMismatch' | 'Sender' | 'Receiver' | 'MustUnderstand';

export interface Fault {
  code: FaultCode;
  /** A WS-Security or gateway subcode, e.g. wsse:FailedAuthentication. */
  subcode?: { namespace: string; prefix: string; name: string };
  reason: string;
  /** HTTP status: 400 for the sender's faults, 500 for ours (SOAP 1.2 HTTP binding). */
  httpStatus: number;
}

export function faultResponse(fault: Fault, relatesTo: string | undefined): string {
  const subcode = fault.subcode
    ? `<s:Subcode><s:Value xmlns:${fault.subcode.prefix}="${fault.subcode.namespace}">${fault.subcode.prefix}:${fault.subcode.name}</s:Value></s:Subcode>`
    : '';
  // A VersionMismatch fault names the envelope versions we speak (SOAP 1.2, part 1, 5.4.7).
  const upgrade =
    fault.code === 'VersionMismatch'
      ? `<s:Upgrade><s:SupportedEnvelope qname="ns:Envelope" xmlns:ns="${SOAP12_NS}"/></s:Upgrade>`
      : '';
  return (
    ENVELOPE_OPEN +
    `<s:Header>${upgrade}<a:Action s:mustUnderstand="1">${FAULT_ACTION}</a:Action>` +
    (relatesTo ? `<a:RelatesTo>${escapeXmlText(relatesTo)}</a:RelatesTo>` : '') +
    '</s:Header>' +
    `<s:Body><s:Fault><s:Code><s:Value>s:${fault.code}</s:Value>${subcode}</s:Code>` +
    `<s:Reason><s:Text xml:lang="en">${escapeXmlText(fault.reason)}</s:Text></s:Reason></s:Fault></s:Body>` +
    ENVELOPE_CLOSE
  );
}

export const wsseFault = (
  name:
    'FailedAuthentication' | 'InvalidSecurity' | 'InvalidSecurityToken' | 'FailedCheck' | 'MessageExpired',
  reason: string,
): Fault => ({
  code: 'Sender',
  subcode: { namespace: WSSE_NS, prefix: 'wsse', name },
  reason,
  httpStatus: 400,
});
