/**
 * Test helpers: SOAP 1.2 requests to the ISPP gateway built the way a real WCF client builds them
 * (WS-Addressing headers, a Security header with Timestamp, UsernameToken and an endorsing X.509
 * signature over Timestamp and wsa:To made with xml-crypto), and throwaway certificates.
 * Synthetic names only. Not for production use.
 */
import { X509Certificate, createHash, createPublicKey, randomBytes, randomUUID } from 'node:crypto';
import { SaxesParser } from 'saxes';
import { generate } from 'selfsigned';
import { SignedXml } from 'xml-crypto';
import { ISPP_NS, SOAP12_NS, WSA_NS, WSSE_NS, WSU_NS } from './soap-envelope.ts';
import {
  BASE64_BINARY,
  EXC_C14N,
  PASSWORD_DIGEST,
  PASSWORD_TEXT,
  RSA_SHA1,
  RSA_SHA256,
  SHA1,
  SHA256,
  THUMBPRINT_SHA1,
  X509V3,
  passwordDigest,
} from './ws-security.ts';

export const ACTION_GET_REGISTER = `${ISPP_NS}/ISPPGatewayServices/GetLocalAuthorityChildcareRegister`;
export const ACTION_GET_SERVICE_STATUS = `${ISPP_NS}/ISPPGatewayServices/GetServiceStatus`;
export const WSA_ANONYMOUS = 'http://www.w3.org/2005/08/addressing/anonymous';

export interface TestCertificate {
  pem: string;
  keyPem: string;
  /** SHA-1 of the DER, hex, lower case. */
  thumbprintSha1: string;
}

/**
 * A self-signed RSA certificate (2048 bits unless `keySize` says otherwise), for tests.
 * `keyPem` reuses an existing private key (RSA key generation is the slow part of a test run).
 */
export async function makeTestCertificate(
  commonName: string,
  options: { notBefore?: Date; notAfter?: Date; keySize?: number; keyPem?: string } = {},
): Promise<TestCertificate> {
  const notBefore = options.notBefore ?? new Date(Date.now() - 24 * 3600_000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 365 * 24 * 3600_000);
  const keyPair = options.keyPem
    ? {
        privateKey: options.keyPem,
        publicKey: createPublicKey(options.keyPem).export({ type: 'spki', format: 'pem' }).toString(),
      }
    : undefined;
  const generated = await generate([{ name: 'commonName', value: commonName }], {
    keySize: options.keySize ?? 2048,
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    ...(keyPair ? { keyPair } : {}),
  });
  const cert = new X509Certificate(generated.cert);
  return {
    pem: generated.cert,
    keyPem: generated.private,
    thumbprintSha1: createHash('sha1').update(cert.raw).digest('hex'),
  };
}

export interface RequestOptions {
  /** The wsa:To value, e.g. the service URL. */
  to: string;
  /** Clock for Timestamp and UsernameToken Created. Default now. */
  now?: Date;
  /** Timestamp Expires − Created. Default 300 (WCF's 5 minutes). */
  ttlSeconds?: number;
  messageId?: string;
  /** Leave the Timestamp out (for negative tests). */
  omitTimestamp?: boolean;
  /** UsernameToken; left out when username is undefined. */
  username?: string;
  password?: string;
  /** Default 'text' (what a WCF client sends over HTTPS). */
  passwordType?: 'text' | 'digest';
  /** Digest nonce. Default 16 random bytes. */
  nonce?: Buffer;
  /** Sign with this key and certificate; no signature when undefined. */
  signer?: { pem: string; keyPem: string };
  /** How KeyInfo names the certificate. Default 'bst' (as WCF does for AlwaysToRecipient). */
  keyReference?: 'bst' | 'thumbprint';
  /** 'sha1' = RSA-SHA1 + SHA-1 (WCF Basic256, default); 'sha256' = RSA-SHA256 + SHA-256. */
  algorithm?: 'sha1' | 'sha256';
  /** Raw algorithm URIs, overriding `algorithm` (to test refusals). */
  signatureAlgorithmUri?: string;
  digestAlgorithmUri?: string;
  /** What the signature covers. Default Timestamp and To. Operation: the Body's first element. */
  signedParts?: readonly ('Timestamp' | 'To' | 'Body' | 'Operation')[];
}

export function buildGetLocalAuthorityChildcareRegisterRequest(
  laCode: string,
  options: RequestOptions,
): string {
  const body =
    `<GetLocalAuthorityChildcareRegister xmlns="${ISPP_NS}"><localAuthorityRequest>` +
    `<LocalAuthorityCode>${escapeXml(laCode)}</LocalAuthorityCode>` +
    `</localAuthorityRequest></GetLocalAuthorityChildcareRegister>`;
  return buildRequestEnvelope(ACTION_GET_REGISTER, body, options);
}

export function buildGetServiceStatusRequest(options: RequestOptions): string {
  return buildRequestEnvelope(ACTION_GET_SERVICE_STATUS, `<GetServiceStatus xmlns="${ISPP_NS}"/>`, options);
}

/** A whole request in WCF's layout: prefixes s, a, u, o; Ids _0 (Timestamp) and _1 (To). */
export function buildRequestEnvelope(action: string, bodyXml: string, options: RequestOptions): string {
  const now = options.now ?? new Date();
  const created = now.toISOString();
  const expires = new Date(now.getTime() + (options.ttlSeconds ?? 300) * 1000).toISOString();
  const uuid = randomUUID();
  const tokenId = `uuid-${uuid}-1`;
  const bstId = `uuid-${uuid}-2`;
  const keyReference = options.keyReference ?? 'bst';

  let security = '';
  if (!options.omitTimestamp) {
    security += `<u:Timestamp u:Id="_0"><u:Created>${created}</u:Created><u:Expires>${expires}</u:Expires></u:Timestamp>`;
  }
  if (options.username !== undefined) {
    const password = options.password ?? '';
    let passwordXml: string;
    if (options.passwordType === 'digest') {
      const nonce = options.nonce ?? randomBytes(16);
      passwordXml =
        `<o:Password Type="${PASSWORD_DIGEST}">${passwordDigest(nonce, created, password)}</o:Password>` +
        `<o:Nonce EncodingType="${BASE64_BINARY}">${nonce.toString('base64')}</o:Nonce>` +
        `<u:Created>${created}</u:Created>`;
    } else {
      passwordXml = `<o:Password Type="${PASSWORD_TEXT}">${escapeXml(password)}</o:Password>`;
    }
    security +=
      `<o:UsernameToken u:Id="${tokenId}"><o:Username>${escapeXml(options.username)}</o:Username>` +
      `${passwordXml}</o:UsernameToken>`;
  }
  if (options.signer && keyReference === 'bst') {
    const der = new X509Certificate(options.signer.pem).raw.toString('base64');
    security += `<o:BinarySecurityToken u:Id="${bstId}" ValueType="${X509V3}" EncodingType="${BASE64_BINARY}">${der}</o:BinarySecurityToken>`;
  }

  const xml =
    `<s:Envelope xmlns:s="${SOAP12_NS}" xmlns:a="${WSA_NS}" xmlns:u="${WSU_NS}">` +
    `<s:Header>` +
    `<a:Action s:mustUnderstand="1">${escapeXml(action)}</a:Action>` +
    `<a:MessageID>${escapeXml(options.messageId ?? `urn:uuid:${randomUUID()}`)}</a:MessageID>` +
    `<a:ReplyTo><a:Address>${WSA_ANONYMOUS}</a:Address></a:ReplyTo>` +
    `<a:To s:mustUnderstand="1" u:Id="_1">${escapeXml(options.to)}</a:To>` +
    `<o:Security s:mustUnderstand="1" xmlns:o="${WSSE_NS}">${security}</o:Security>` +
    `</s:Header>` +
    // xml-crypto would number an Id-less Body "_0" too, clashing with the Timestamp: give it one.
    `<s:Body${options.signedParts?.includes('Body') ? ' u:Id="_2"' : ''}>` +
    (options.signedParts?.includes('Operation') ? bodyXml.replace(/^<[^\s>/]+/, '$& u:Id="_3"') : bodyXml) +
    `</s:Body>` +
    `</s:Envelope>`;
  if (!options.signer) return xml;

  const sha256 = options.algorithm === 'sha256';
  const keyInfo =
    keyReference === 'bst'
      ? `<o:SecurityTokenReference xmlns:o="${WSSE_NS}"><o:Reference URI="#${bstId}" ValueType="${X509V3}"/></o:SecurityTokenReference>`
      : `<o:SecurityTokenReference xmlns:o="${WSSE_NS}"><o:KeyIdentifier ValueType="${THUMBPRINT_SHA1}">` +
        `${createHash('sha1').update(new X509Certificate(options.signer.pem).raw).digest('base64')}` +
        `</o:KeyIdentifier></o:SecurityTokenReference>`;
  const signer = new SignedXml({
    privateKey: options.signer.keyPem,
    signatureAlgorithm: options.signatureAlgorithmUri ?? (sha256 ? RSA_SHA256 : RSA_SHA1),
    canonicalizationAlgorithm: EXC_C14N,
    // Use the wsu:Id already on each target (a WS-Security processor resolves those).
    idMode: 'wssecurity',
    getKeyInfoContent: () => keyInfo,
  });
  const digestAlgorithm = options.digestAlgorithmUri ?? (sha256 ? SHA256 : SHA1);
  for (const part of options.signedParts ?? ['Timestamp', 'To']) {
    signer.addReference({ xpath: PART_XPATH[part], transforms: [EXC_C14N], digestAlgorithm });
  }
  signer.computeSignature(xml, { location: { reference: SECURITY_XPATH, action: 'append' } });
  return signer.getSignedXml();
}

const el = (ns: string, local: string): string => `*[local-name()='${local}' and namespace-uri()='${ns}']`;
const HEADER_XPATH = `/${el(SOAP12_NS, 'Envelope')}/${el(SOAP12_NS, 'Header')}`;
const SECURITY_XPATH = `${HEADER_XPATH}/${el(WSSE_NS, 'Security')}`;
const PART_XPATH = {
  Timestamp: `${SECURITY_XPATH}/${el(WSU_NS, 'Timestamp')}`,
  To: `${HEADER_XPATH}/${el(WSA_NS, 'To')}`,
  Body: `/${el(SOAP12_NS, 'Envelope')}/${el(SOAP12_NS, 'Body')}`,
  Operation: `/${el(SOAP12_NS, 'Envelope')}/${el(SOAP12_NS, 'Body')}/*[1]`,
} as const;

export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * RegisterData's text in a GetLocalAuthorityChildcareRegister response as an XML reader sees it
 * (entities resolved, CDATA sections joined); undefined when there is none.
 */
export function readRegisterData(responseXml: string): string | undefined {
  const parser = new SaxesParser({ xmlns: true });
  let inside = false;
  let found = false;
  const parts: string[] = [];
  parser.on('opentag', (tag) => {
    if (tag.local === 'RegisterData' && tag.uri === ISPP_NS) inside = found = true;
  });
  parser.on('closetag', (tag) => {
    if (tag.local === 'RegisterData' && tag.uri === ISPP_NS) inside = false;
  });
  const collect = (text: string) => {
    if (inside) parts.push(text);
  };
  parser.on('text', collect);
  parser.on('cdata', collect);
  parser.write(responseXml).close();
  return found ? parts.join('') : undefined;
}
