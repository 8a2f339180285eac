/**
 * SOAP 1.2 responses of the ISPP gateway, written as text: the envelope around a result, the
 * extract escaped into RegisterData chunk by chunk (never the whole document as one string),
 * and faults.
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

/** Sent in slices of this size: one huge write stalls the event loop; tiny ones cost syscalls. */
const SLICE = 64 * 1024;

/**
 * A successful GetLocalAuthorityChildcareRegister response around the already-escaped extract
 * (see RegisterDataCache), as a list of chunks that share its memory rather than copy it.
 */
export function registerDataResponse(escapedDocument: Buffer, relatesTo: string | undefined): Buffer[] {
  const chunks: Buffer[] = [
    Buffer.from(
      ENVELOPE_OPEN +
        replyHeader(`${ACTIONS.GetLocalAuthorityChildcareRegister}Response`, relatesTo) +
        `<s:Body><GetLocalAuthorityChildcareRegisterResponse xmlns="${ISPP_NS}"><GetLocalAuthorityChildcareRegisterResult><RegisterData>`,
    ),
  ];
  for (let start = 0; start < escapedDocument.length; start += SLICE) {
    chunks.push(escapedDocument.subarray(start, start + SLICE));
  }
  chunks.push(
    Buffer.from(
      `</RegisterData>${statusElement({ code: 'Success' })}</GetLocalAuthorityChildcareRegisterResult></GetLocalAuthorityChildcareRegisterResponse></s:Body>` +
        ENVELOPE_CLOSE,
    ),
  );
  return chunks;
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
