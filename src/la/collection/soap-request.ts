/**
 * A GetLocalAuthorityChildcareRegister request as Ofsted's ISPP gateway requires it (and a WCF
 * client sends it): SOAP 1.2, WS-Addressing (Action, MessageID, ReplyTo, To), and a WS-Security
 * header with a Timestamp (5 minutes), a UsernameToken (PasswordText, over HTTPS) and an X.509
 * signature over the Timestamp and wsa:To, exclusive C14N, RSA-SHA1 by default (RSA-SHA256
 * optional), the certificate referenced by its SHA-1 thumbprint.
 *
 * The signed parts are written here, so their exclusive canonical form is built directly rather
 * than by a general canonicaliser: the same text, with each namespace declared where it is used
 * and attributes in canonical order.
 */
import { createHash, createSign, randomUUID } from 'node:crypto';
import type { ClientCertificate } from './client-certificate.ts';
import type { SignatureAlgorithm } from '../tables.ts';

export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
export const WSA_NS = 'http://www.w3.org/2005/08/addressing';
export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
export const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
export const ISPP_NS = 'http://information.gateway.ofsted.gov.uk/ispp';
const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const WSS_BASE = 'http://docs.oasis-open.org/wss/2004/01';
const PASSWORD_TEXT = `${WSS_BASE}/oasis-200401-wss-username-token-profile-1.0#PasswordText`;
const THUMBPRINT_SHA1 = 'http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#ThumbprintSHA1';
const ALGORITHMS = {
  'rsa-sha1': {
    signature: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
    digest: 'http://www.w3.org/2000/09/xmldsig#sha1',
    hash: 'sha1',
  },
  'rsa-sha256': {
    signature: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    digest: 'http://www.w3.org/2001/04/xmlenc#sha256',
    hash: 'sha256',
  },
} as const;
export const ACTION_GET_REGISTER = `${ISPP_NS}/ISPPGatewayServices/GetLocalAuthorityChildcareRegister`;
const WSA_ANONYMOUS = 'http://www.w3.org/2005/08/addressing/anonymous';

export interface RegisterRequestOptions {
  /** The service URL: the request's wsa:To. */
  endpointUrl: string;
  laCode: string;
  username: string;
  password: string;
  /** Without one, the request is unsigned (accounts that need no certificate). */
  certificate?: ClientCertificate;
  algorithm?: SignatureAlgorithm;
  now: Date;
}

/** Text content escaped as canonical XML escapes it (so the signed form and the sent one agree). */
function escape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

export function buildRegisterRequest(options: RegisterRequestOptions): string {
  const created = options.now.toISOString();
  const expires = new Date(options.now.getTime() + 5 * 60_000).toISOString();
  const to = escape(options.endpointUrl);
  const timestampInner = `<u:Created>${created}</u:Created><u:Expires>${expires}</u:Expires>`;
  const usernameToken =
    `<o:UsernameToken u:Id="uuid-${randomUUID()}-1"><o:Username>${escape(options.username)}</o:Username>` +
    `<o:Password Type="${PASSWORD_TEXT}">${escape(options.password)}</o:Password></o:UsernameToken>`;

  let signature = '';
  if (options.certificate) {
    const algorithm = ALGORITHMS[options.algorithm ?? 'rsa-sha1'];
    // Exclusive C14N of each signed element: the namespaces it uses declared on it (by prefix),
    // then its attributes ordered by namespace URI (wsu's sorts before SOAP's).
    const canonicalTimestamp = `<u:Timestamp xmlns:u="${WSU_NS}" u:Id="_0">${timestampInner}</u:Timestamp>`;
    const canonicalTo = `<a:To xmlns:a="${WSA_NS}" xmlns:s="${SOAP12_NS}" xmlns:u="${WSU_NS}" u:Id="_1" s:mustUnderstand="1">${to}</a:To>`;
    const reference = (uri: string, canonical: string) =>
      `<Reference URI="${uri}"><Transforms><Transform Algorithm="${EXC_C14N}"></Transform></Transforms>` +
      `<DigestMethod Algorithm="${algorithm.digest}"></DigestMethod>` +
      `<DigestValue>${createHash(algorithm.hash).update(canonical).digest('base64')}</DigestValue></Reference>`;
    const signedInfo =
      `<SignedInfo xmlns="${DSIG_NS}"><CanonicalizationMethod Algorithm="${EXC_C14N}"></CanonicalizationMethod>` +
      `<SignatureMethod Algorithm="${algorithm.signature}"></SignatureMethod>` +
      reference('#_0', canonicalTimestamp) +
      reference('#_1', canonicalTo) +
      `</SignedInfo>`;
    const value = createSign(algorithm.hash)
      .update(signedInfo)
      .sign(options.certificate.privateKey, 'base64');
    const thumbprint = createHash('sha1').update(options.certificate.certificate.raw).digest('base64');
    signature =
      `<Signature xmlns="${DSIG_NS}">${signedInfo.replace(` xmlns="${DSIG_NS}"`, '')}` +
      `<SignatureValue>${value}</SignatureValue><KeyInfo><o:SecurityTokenReference>` +
      `<o:KeyIdentifier ValueType="${THUMBPRINT_SHA1}">${thumbprint}</o:KeyIdentifier>` +
      `</o:SecurityTokenReference></KeyInfo></Signature>`;
  }

  return (
    `<s:Envelope xmlns:s="${SOAP12_NS}" xmlns:a="${WSA_NS}" xmlns:u="${WSU_NS}">` +
    `<s:Header>` +
    `<a:Action s:mustUnderstand="1">${ACTION_GET_REGISTER}</a:Action>` +
    `<a:MessageID>urn:uuid:${randomUUID()}</a:MessageID>` +
    `<a:ReplyTo><a:Address>${WSA_ANONYMOUS}</a:Address></a:ReplyTo>` +
    `<a:To s:mustUnderstand="1" u:Id="_1">${to}</a:To>` +
    `<o:Security s:mustUnderstand="1" xmlns:o="${WSSE_NS}">` +
    `<u:Timestamp u:Id="_0">${timestampInner}</u:Timestamp>` +
    usernameToken +
    signature +
    `</o:Security>` +
    `</s:Header>` +
    `<s:Body><GetLocalAuthorityChildcareRegister xmlns="${ISPP_NS}"><localAuthorityRequest>` +
    `<LocalAuthorityCode>${escape(options.laCode)}</LocalAuthorityCode>` +
    `</localAuthorityRequest></GetLocalAuthorityChildcareRegister></s:Body>` +
    `</s:Envelope>`
  );
}
