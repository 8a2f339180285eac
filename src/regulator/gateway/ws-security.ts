/**
 * Verification of the wsse:Security header of an ISPP gateway request, as the published policy
 * (reference/ispp-contract/wsdl0.xml) demands: HTTPS transport with a Timestamp, a UsernameToken
 * (WS-Security 1.0, text or digest password), and an endorsing X.509 signature (exclusive C14N,
 * RSA-SHA1/SHA-1 as WCF sends it, or RSA-SHA256/SHA-256) over the Timestamp and the wsa:To header.
 *
 * Pure: the accounts and the nonce store come in through GatewayCredentialLookup.
 */
import { X509Certificate, createHash, timingSafeEqual, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { exclusiveCanonical } from './exclusive-c14n.ts';
import { WSSE_NS, WSU_NS, attributeValue, childrenNamed } from './soap-envelope.ts';
import type { ParsedEnvelope, XmlElement } from './soap-envelope.ts';

const WSS_BASE = 'http://docs.oasis-open.org/wss/2004/01';
export const PASSWORD_TEXT = `${WSS_BASE}/oasis-200401-wss-username-token-profile-1.0#PasswordText`;
export const PASSWORD_DIGEST = `${WSS_BASE}/oasis-200401-wss-username-token-profile-1.0#PasswordDigest`;
export const BASE64_BINARY = `${WSS_BASE}/oasis-200401-wss-soap-message-security-1.0#Base64Binary`;
export const X509V3 = `${WSS_BASE}/oasis-200401-wss-x509-token-profile-1.0#X509v3`;
export const THUMBPRINT_SHA1 =
  'http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#ThumbprintSHA1';
export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
export const ENVELOPED_SIGNATURE = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
export const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

const SIGNATURE_ALGORITHMS = [RSA_SHA1, RSA_SHA256];
const DIGEST_ALGORITHMS = [SHA1, SHA256];
/** node:crypto's name for the hash of each accepted algorithm URI. */
const HASHES: Readonly<Record<string, string>> = {
  [RSA_SHA1]: 'sha1',
  [RSA_SHA256]: 'sha256',
  [SHA1]: 'sha1',
  [SHA256]: 'sha256',
};

/** The one reason a caller sees for an unknown user or a wrong password, so usernames cannot be probed. */
export const AUTHENTICATION_FAILED = 'The security token could not be authenticated or authorized';

export interface RegisteredCertificate {
  /** SHA-1 of the DER, hex, lower case. */
  thumbprintSha1: string;
  pem: string;
}

export interface GatewayAccount {
  id: string;
  /** The shared secret in clear (needed to check a PasswordDigest). */
  password: string;
  requireCertificate: boolean;
  certificates: RegisteredCertificate[];
}

export interface GatewayCredentialLookup {
  /** The account for a UsernameToken username, or undefined. password: the shared secret in clear (needed to check a PasswordDigest). */
  account(username: string): Promise<GatewayAccount | undefined>;
  /** Remember a digest nonce until `expiresAt`; false when it was already seen (replay). Must work across instances (the caller backs it with PostgreSQL). */
  rememberNonce(nonce: string, expiresAt: Date): Promise<boolean>;
}

export interface VerifyOptions {
  now: Date;
  /** Allowed difference between our clock and the client's. Default 300. */
  maxClockSkewSeconds?: number;
  /** Longest Timestamp validity (Expires − Created) and oldest UsernameToken Created accepted. Default 300. */
  maxMessageAgeSeconds?: number;
  /** When given, the wsa:To header must be present and equal to this. */
  expectedTo?: string;
  /** Smallest RSA key accepted in a signing certificate. Default 2048. */
  minRsaKeyBits?: number;
}

export type SecurityFault =
  'FailedAuthentication' | 'InvalidSecurity' | 'MessageExpired' | 'InvalidSecurityToken' | 'FailedCheck';

export type VerifyResult =
  | {
      ok: true;
      accountId: string;
      username: string;
      passwordType: 'text' | 'digest';
      /** SHA-1 thumbprint (hex, lower) of the certificate that signed, when there was a signature. */
      certificateThumbprint?: string;
    }
  | {
      ok: false;
      fault: SecurityFault;
      /** For the SOAP fault: says what was wrong, never a secret. */
      reason: string;
      /** For the server log only: may be more specific than `reason` (e.g. unknown user vs wrong password), still no secret. */
      logReason: string;
    };

class Refusal extends Error {
  constructor(
    readonly fault: SecurityFault,
    readonly reason: string,
    readonly logReason: string = reason,
  ) {
    super(reason);
  }
}

// A declared function (not a const arrow) so TypeScript narrows after a call to it.
function refuse(fault: SecurityFault, reason: string, logReason?: string): never {
  throw new Refusal(fault, reason, logReason);
}

/**
 * Check the Security header of a request parsed by parseSoapEnvelope: the signature is checked on
 * that tree, the one the gateway acts on. Rejections come back as a result; only a failing
 * `lookup` (e.g. the database) throws.
 */
export async function verifySecurityHeader(
  parsed: ParsedEnvelope,
  lookup: GatewayCredentialLookup,
  options: VerifyOptions,
): Promise<VerifyResult> {
  try {
    return await verify(parsed, lookup, options);
  } catch (err) {
    if (err instanceof Refusal)
      return { ok: false, fault: err.fault, reason: err.reason, logReason: err.logReason };
    throw err;
  }
}

async function verify(
  parsed: ParsedEnvelope,
  lookup: GatewayCredentialLookup,
  options: VerifyOptions,
): Promise<VerifyResult> {
  const now = options.now.getTime();
  const skewMs = (options.maxClockSkewSeconds ?? 300) * 1000;
  const maxAgeMs = (options.maxMessageAgeSeconds ?? 300) * 1000;

  if (parsed.securityHeaders.length > 1) refuse('InvalidSecurity', 'More than one wsse:Security header');
  const security = parsed.security ?? refuse('InvalidSecurity', 'The wsse:Security header is missing');

  // Timestamp (TransportBinding/IncludeTimestamp).
  const timestamp = exactlyOne(security, WSU_NS, 'Timestamp', 'wsu:Timestamp in the Security header');
  const tsCreatedText = exactlyOne(timestamp, WSU_NS, 'Created', 'Timestamp/Created').text.trim();
  const tsExpiresText = exactlyOne(timestamp, WSU_NS, 'Expires', 'Timestamp/Expires').text.trim();
  const tsCreated =
    parseDateTime(tsCreatedText) ??
    refuse('InvalidSecurity', 'Timestamp/Created is not a dateTime with a time zone');
  const tsExpires =
    parseDateTime(tsExpiresText) ??
    refuse('InvalidSecurity', 'Timestamp/Expires is not a dateTime with a time zone');
  if (tsExpires <= tsCreated) refuse('InvalidSecurity', 'Timestamp/Expires is not after Timestamp/Created');
  if (tsCreated > now + skewMs) refuse('InvalidSecurity', 'Timestamp/Created is in the future');
  if (tsExpires < now - skewMs)
    refuse('MessageExpired', 'The message has expired (Timestamp/Expires has passed)');
  if (tsExpires - tsCreated > maxAgeMs) {
    refuse('InvalidSecurity', `The Timestamp is valid for longer than ${maxAgeMs / 1000} seconds`);
  }

  const toElement = parsed.addressing.toElement;
  if (options.expectedTo !== undefined && parsed.addressing.to !== options.expectedTo) {
    refuse(
      'InvalidSecurity',
      toElement ? 'wsa:To does not address this service' : 'The wsa:To header is missing',
    );
  }

  // UsernameToken (SignedSupportingTokens, WssUsernameToken10).
  const token = exactlyOne(security, WSSE_NS, 'UsernameToken', 'wsse:UsernameToken in the Security header');
  const username = exactlyOne(token, WSSE_NS, 'Username', 'UsernameToken/Username').text;
  const passwordEl = exactlyOne(token, WSSE_NS, 'Password', 'UsernameToken/Password');
  const passwordTypeUri = attributeValue(passwordEl, '', 'Type') ?? PASSWORD_TEXT; // the profile's default
  const passwordType =
    passwordTypeUri === PASSWORD_TEXT
      ? 'text'
      : passwordTypeUri === PASSWORD_DIGEST
        ? 'digest'
        : refuse('InvalidSecurityToken', 'Unsupported UsernameToken password type');
  const nonceEl = atMostOne(token, WSSE_NS, 'Nonce', 'UsernameToken/Nonce');
  const utCreatedEl = atMostOne(token, WSU_NS, 'Created', 'UsernameToken/Created');

  let nonce: Buffer | undefined;
  if (nonceEl) {
    const encoding = attributeValue(nonceEl, '', 'EncodingType');
    if (encoding !== undefined && encoding !== BASE64_BINARY)
      refuse('InvalidSecurityToken', 'Nonce must be Base64Binary');
    nonce = decodeBase64(nonceEl.text);
    if (nonce === undefined || nonce.length < 8 || nonce.length > 64) {
      refuse('InvalidSecurityToken', 'Nonce must be 8 to 64 bytes in base64');
    }
  }
  let utCreated: number | undefined;
  if (utCreatedEl) {
    utCreated =
      parseDateTime(utCreatedEl.text.trim()) ??
      refuse('InvalidSecurityToken', 'UsernameToken/Created is not a dateTime with a time zone');
    if (utCreated > now + skewMs) refuse('InvalidSecurity', 'UsernameToken/Created is in the future');
    if (utCreated < now - skewMs - maxAgeMs) refuse('MessageExpired', 'UsernameToken/Created is too old');
  }
  if (passwordType === 'digest' && (nonce === undefined || utCreatedEl === undefined)) {
    refuse('InvalidSecurityToken', 'A PasswordDigest needs a Nonce and a wsu:Created');
  }

  // Authentication: same fault and reason whether the user is unknown or the password wrong.
  const account = await lookup.account(username);
  const passwordOk = checkPassword(
    passwordType,
    passwordEl.text,
    nonce,
    utCreatedEl?.text ?? '',
    account?.password,
  );
  if (account === undefined) refuse('FailedAuthentication', AUTHENTICATION_FAILED, 'unknown username');
  if (!passwordOk) refuse('FailedAuthentication', AUTHENTICATION_FAILED, `wrong password (${passwordType})`);

  // Endorsing X.509 signature over Timestamp and wsa:To.
  const signatures = findAll(parsed.envelope, DSIG_NS, 'Signature');
  let certificateThumbprint: string | undefined;
  if (signatures.length === 0) {
    if (account.requireCertificate) {
      refuse(
        'InvalidSecurity',
        'This account must sign the Timestamp and wsa:To header with its registered X.509 certificate',
      );
    }
  } else {
    const signature = signatures[0];
    if (signature === undefined || signatures.length > 1)
      refuse('InvalidSecurity', 'More than one ds:Signature in the message');
    if (!security.children.includes(signature))
      refuse('InvalidSecurity', 'The ds:Signature must be a child of wsse:Security');
    certificateThumbprint = checkSignature(parsed, security, signature, timestamp, toElement, account, {
      now,
      skewMs,
      minRsaKeyBits: options.minRsaKeyBits ?? 2048,
    });
  }

  // Last, so that only fully authenticated requests take room in the nonce store; it is atomic
  // (an insert), so two concurrent replays cannot both pass.
  if (nonce !== undefined) {
    const createdMs = utCreated ?? tsCreated;
    // A nonce must be remembered for as long as its message could still be accepted.
    const expiresAt = new Date(Math.max(createdMs + maxAgeMs + skewMs, tsExpires + skewMs));
    const fresh = await lookup.rememberNonce(nonce.toString('base64'), expiresAt);
    if (!fresh)
      refuse(
        'InvalidSecurity',
        'The UsernameToken nonce has already been used (replayed message)',
        'replayed nonce',
      );
  }

  return {
    ok: true,
    accountId: account.id,
    username,
    passwordType,
    ...(certificateThumbprint !== undefined ? { certificateThumbprint } : {}),
  };
}

/** Base64(SHA-1(nonce + created + password)), the UsernameToken profile 1.0 PasswordDigest. */
export function passwordDigest(nonce: Buffer, created: string, password: string): string {
  return createHash('sha1')
    .update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')]))
    .digest('base64');
}

function checkPassword(
  type: 'text' | 'digest',
  presented: string,
  nonce: Buffer | undefined,
  created: string,
  secret: string | undefined,
): boolean {
  // With no account, compare against a throwaway secret so the work done is the same.
  const actual = secret ?? 'no such account';
  if (type === 'text') {
    // Hash both sides: timingSafeEqual needs equal lengths, and the length must not leak either.
    const a = createHash('sha256').update(presented, 'utf8').digest();
    const b = createHash('sha256').update(actual, 'utf8').digest();
    return timingSafeEqual(a, b) && secret !== undefined;
  }
  const expected = Buffer.from(passwordDigest(nonce ?? Buffer.alloc(0), created, actual), 'base64');
  const given = decodeBase64(presented) ?? Buffer.alloc(0);
  const same = given.length === expected.length && timingSafeEqual(given, expected);
  return same && secret !== undefined;
}

interface SignatureContext {
  now: number;
  skewMs: number;
  minRsaKeyBits: number;
}

interface SignedReference {
  id: string;
  target: XmlElement;
  digestAlgorithm: string;
  digestValue: Buffer;
  /** The enveloped-signature transform came first (node-soap adds it): the Signature is left out. */
  enveloped: boolean;
  inclusivePrefixes: string[];
}

/** Checks the endorsing signature; returns the signing certificate's thumbprint. */
function checkSignature(
  parsed: ParsedEnvelope,
  security: XmlElement,
  signature: XmlElement,
  timestamp: XmlElement,
  toElement: XmlElement | undefined,
  account: GatewayAccount,
  ctx: SignatureContext,
): string {
  // 1. Shape and algorithms, from our own parse, before any cryptography.
  const parts = signature.children;
  const signedInfo = parts[0];
  if (!signedInfo || !isDsig(signedInfo, 'SignedInfo') || !parts[1] || !isDsig(parts[1], 'SignatureValue')) {
    refuse('InvalidSecurity', 'ds:Signature must hold SignedInfo, SignatureValue and KeyInfo');
  }
  const keyInfo = parts[2];
  if (!keyInfo || !isDsig(keyInfo, 'KeyInfo') || parts.length !== 3) {
    refuse('InvalidSecurity', 'ds:Signature must hold SignedInfo, SignatureValue and KeyInfo');
  }
  const [c14nMethod, signatureMethod, ...referenceEls] = signedInfo.children;
  if (!c14nMethod || !isDsig(c14nMethod, 'CanonicalizationMethod') || c14nMethod.children.length > 0) {
    refuse('InvalidSecurity', 'SignedInfo must start with a CanonicalizationMethod');
  }
  if (attributeValue(c14nMethod, '', 'Algorithm') !== EXC_C14N) {
    refuse('InvalidSecurity', 'Unsupported canonicalization algorithm (exclusive C14N only)');
  }
  if (
    !signatureMethod ||
    !isDsig(signatureMethod, 'SignatureMethod') ||
    signatureMethod.children.length > 0
  ) {
    refuse('InvalidSecurity', 'SignedInfo must have a SignatureMethod');
  }
  const signatureAlgorithm = attributeValue(signatureMethod, '', 'Algorithm') ?? '';
  if (!SIGNATURE_ALGORITHMS.includes(signatureAlgorithm)) {
    refuse(
      'InvalidSecurity',
      `Unsupported signature algorithm (accepted: ${SIGNATURE_ALGORITHMS.join(', ')})`,
    );
  }
  if (referenceEls.length === 0) refuse('InvalidSecurity', 'SignedInfo has no Reference');

  // IDs must be unique, or "#id" could point at an element other than the one we read.
  for (const [id, holders] of parsed.ids) {
    if (holders.length > 1)
      refuse('InvalidSecurity', `The Id "${shorten(id)}" is used by more than one element`);
  }
  const references = referenceEls.map((r) => readReference(r, parsed));
  const seen = new Set<string>();
  for (const r of references) {
    if (seen.has(r.id)) refuse('InvalidSecurity', 'Two signature References point at the same element');
    seen.add(r.id);
    if (r.target === signature || isDescendant(r.target, signature)) {
      refuse('InvalidSecurity', 'A signature Reference points inside the Signature');
    }
  }
  // Each signed element is canonicalised once: a Reference inside another's element would have
  // its bytes canonicalised again, and nested 30 deep, 30 times a 64 KB request. Clients sign
  // disjoint parts (Timestamp, To, Body).
  const targets = new Set(references.map((r) => r.target));
  for (const r of references) {
    for (let at = r.target.parent; at !== undefined; at = at.parent) {
      if (targets.has(at))
        refuse('InvalidSecurity', 'A signature Reference points inside another signed element');
    }
  }
  // Signature wrapping: the signed Timestamp and To must be the very ones we act on.
  const tsRef = references.findIndex((r) => r.target === timestamp);
  if (tsRef < 0)
    refuse('InvalidSecurity', 'The signature does not cover the Security header’s wsu:Timestamp');
  const toRef = toElement ? references.findIndex((r) => r.target === toElement) : -1;
  if (toRef < 0) refuse('InvalidSecurity', 'The signature does not cover the wsa:To header');

  // 2. The signing certificate, which must be registered to this account.
  const cert = resolveCertificate(keyInfo, parsed, security, account, ctx);

  // 3. Cryptography over our own tree (exclusive-c14n.ts): each Reference's digest over the
  // element it names, then the SignatureValue over SignedInfo with the registered key only
  // (KeyInfo never supplies a key).
  for (const r of references) {
    const canonical = exclusiveCanonical(r.target, {
      inclusivePrefixes: r.inclusivePrefixes,
      ...(r.enveloped ? { omit: signature } : {}),
    });
    const digest = createHash(HASHES[r.digestAlgorithm]!).update(canonical, 'utf8').digest();
    if (!(r.digestValue.length === digest.length && timingSafeEqual(r.digestValue, digest))) {
      refuse('FailedCheck', `The signed element #${shorten(r.id)} has been altered`);
    }
  }
  const signatureValue =
    decodeBase64(parts[1].text) ?? refuse('FailedCheck', 'The signature value is not base64');
  const signedBytes = Buffer.from(exclusiveCanonical(signedInfo), 'utf8');
  if (!cryptoVerify(HASHES[signatureAlgorithm]!, signedBytes, cert.publicKey, signatureValue)) {
    refuse('FailedCheck', 'The signature value does not verify with the registered certificate');
  }
  return cert.thumbprint;
}

function readReference(el: XmlElement, parsed: ParsedEnvelope): SignedReference {
  if (!isDsig(el, 'Reference')) refuse('InvalidSecurity', 'Unexpected element in SignedInfo');
  const uri = attributeValue(el, '', 'URI') ?? '';
  // Same-document "#id" references only: no whole-document "" or external URIs.
  if (!/^#[A-Za-z_][\w.-]*$/.test(uri))
    refuse('InvalidSecurity', 'Signature References must be "#id" references');
  const id = uri.slice(1);
  const [transforms, digestMethod, digestValue, ...extra] = el.children;
  if (!transforms || !isDsig(transforms, 'Transforms') || extra.length > 0) {
    refuse('InvalidSecurity', 'A Reference must hold Transforms, DigestMethod and DigestValue');
  }
  if (
    !digestMethod ||
    !isDsig(digestMethod, 'DigestMethod') ||
    !digestValue ||
    !isDsig(digestValue, 'DigestValue')
  ) {
    refuse('InvalidSecurity', 'A Reference must hold Transforms, DigestMethod and DigestValue');
  }
  const algorithms = transforms.children.map((t) => {
    if (!isDsig(t, 'Transform')) refuse('InvalidSecurity', 'Unexpected element in Transforms');
    // InclusiveNamespaces (exclusive C14N's PrefixList) is the only content a transform may carry.
    if (t.children.some((c) => c.uri !== EXC_C14N || c.local !== 'InclusiveNamespaces')) {
      refuse('InvalidSecurity', 'Unexpected content in a Transform');
    }
    return attributeValue(t, '', 'Algorithm') ?? '';
  });
  // Exclusive C14N, optionally after enveloped-signature (node-soap adds it).
  const enveloped = algorithms.length === 2 && algorithms[0] === ENVELOPED_SIGNATURE;
  const ok =
    (algorithms.length === 1 && algorithms[0] === EXC_C14N) || (enveloped && algorithms[1] === EXC_C14N);
  if (!ok) refuse('InvalidSecurity', 'Unsupported transform (exclusive C14N only)');
  const c14nTransform = transforms.children.at(-1)!;
  const prefixLists = c14nTransform.children;
  if (prefixLists.length > 1 || (enveloped && transforms.children[0]!.children.length > 0)) {
    refuse('InvalidSecurity', 'Unexpected content in a Transform');
  }
  const prefixList = prefixLists[0] ? (attributeValue(prefixLists[0], '', 'PrefixList') ?? '') : '';
  const digestAlgorithm = attributeValue(digestMethod, '', 'Algorithm') ?? '';
  if (!DIGEST_ALGORITHMS.includes(digestAlgorithm)) {
    refuse('InvalidSecurity', `Unsupported digest algorithm (accepted: ${DIGEST_ALGORITHMS.join(', ')})`);
  }
  const digestBytes =
    decodeBase64(digestValue.text) ?? refuse('InvalidSecurity', 'A DigestValue is not base64');
  const holders = parsed.ids.get(id) ?? [];
  const target = holders[0];
  if (target === undefined || holders.length !== 1) {
    refuse('InvalidSecurity', `The signature references #${shorten(id)}, which is not in the message`);
  }
  return {
    id,
    target,
    digestAlgorithm,
    digestValue: digestBytes,
    enveloped,
    inclusivePrefixes: prefixList.split(/[ \t\r\n]+/).filter((p) => p !== ''),
  };
}

interface ResolvedCertificate {
  publicKey: KeyObject;
  thumbprint: string;
}

function resolveCertificate(
  keyInfo: XmlElement,
  parsed: ParsedEnvelope,
  security: XmlElement,
  account: GatewayAccount,
  ctx: SignatureContext,
): ResolvedCertificate {
  const [str, ...rest] = keyInfo.children;
  if (!str || str.uri !== WSSE_NS || str.local !== 'SecurityTokenReference' || rest.length > 0) {
    refuse('InvalidSecurityToken', 'KeyInfo must hold one wsse:SecurityTokenReference');
  }
  const [r, ...more] = str.children;
  if (!r || more.length > 0) refuse('InvalidSecurityToken', 'SecurityTokenReference must hold one reference');

  let thumbprint: string;
  let presentedDer: Buffer | undefined;
  if (r.uri === WSSE_NS && r.local === 'Reference') {
    // Direct reference to a BinarySecurityToken in this Security header.
    const valueType = attributeValue(r, '', 'ValueType');
    if (valueType !== undefined && valueType !== X509V3)
      refuse('InvalidSecurityToken', 'Unsupported token reference type');
    const uri = attributeValue(r, '', 'URI') ?? '';
    const holders = uri.startsWith('#') ? (parsed.ids.get(uri.slice(1)) ?? []) : [];
    const bst = holders[0];
    if (holders.length !== 1 || !bst || !security.children.includes(bst)) {
      refuse('InvalidSecurityToken', 'The token reference does not point at a token in the Security header');
    }
    const token = bst;
    if (token.uri !== WSSE_NS || token.local !== 'BinarySecurityToken') {
      refuse('InvalidSecurityToken', 'The token reference does not point at a BinarySecurityToken');
    }
    if (attributeValue(token, '', 'ValueType') !== X509V3)
      refuse('InvalidSecurityToken', 'The BinarySecurityToken is not X509v3');
    const encoding = attributeValue(token, '', 'EncodingType');
    if (encoding !== undefined && encoding !== BASE64_BINARY) {
      refuse('InvalidSecurityToken', 'The BinarySecurityToken must be Base64Binary');
    }
    presentedDer =
      decodeBase64(token.text) ?? refuse('InvalidSecurityToken', 'The BinarySecurityToken is not base64');
    if (parsedCertificate(presentedDer) === undefined) {
      refuse('InvalidSecurityToken', 'The BinarySecurityToken is not an X.509 certificate');
    }
    thumbprint = sha1Hex(presentedDer);
  } else if (r.uri === WSSE_NS && r.local === 'KeyIdentifier') {
    // RequireThumbprintReference: Base64(SHA-1(DER)).
    if (attributeValue(r, '', 'ValueType') !== THUMBPRINT_SHA1) {
      refuse('InvalidSecurityToken', 'Unsupported KeyIdentifier type (ThumbprintSHA1 only)');
    }
    const encoding = attributeValue(r, '', 'EncodingType');
    if (encoding !== undefined && encoding !== BASE64_BINARY)
      refuse('InvalidSecurityToken', 'The KeyIdentifier must be Base64Binary');
    const bytes = decodeBase64(r.text);
    if (bytes === undefined || bytes.length !== 20)
      refuse('InvalidSecurityToken', 'The thumbprint is not a base64 SHA-1');
    thumbprint = bytes.toString('hex');
  } else {
    refuse('InvalidSecurityToken', 'Unsupported security token reference');
  }

  // Registered to THIS account: the stored thumbprint, the registered PEM and (for a BST) the bytes sent must agree.
  const notRegistered = 'The signing certificate is not registered to this account';
  const entry =
    account.certificates.find((c) => normaliseThumbprint(c.thumbprintSha1) === thumbprint) ??
    refuse('FailedAuthentication', notRegistered, 'certificate thumbprint not registered to the account');
  const registered =
    parsedCertificate(entry.pem) ??
    refuse('FailedAuthentication', notRegistered, 'registered certificate PEM does not parse');
  if (registered.thumbprint !== thumbprint) {
    refuse('FailedAuthentication', notRegistered, 'registered PEM does not match its stored thumbprint');
  }
  if (presentedDer !== undefined && !registered.raw.equals(presentedDer)) {
    refuse(
      'FailedAuthentication',
      notRegistered,
      'BinarySecurityToken differs from the registered certificate',
    );
  }
  if (!(registered.validFrom - ctx.skewMs <= ctx.now && ctx.now <= registered.validTo + ctx.skewMs)) {
    refuse('FailedAuthentication', 'The signing certificate has expired or is not yet valid');
  }
  const key = registered.publicKey;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < ctx.minRsaKeyBits) {
    refuse(
      'InvalidSecurityToken',
      `The signing certificate must have an RSA key of at least ${ctx.minRsaKeyBits} bits`,
    );
  }
  return { publicKey: key, thumbprint };
}

interface ParsedCertificate {
  raw: Buffer;
  /** SHA-1 of the DER, hex, lower case. */
  thumbprint: string;
  validFrom: number;
  validTo: number;
  publicKey: KeyObject;
}

/**
 * Certificates parsed once, not on every request: an account signs every request with the same
 * few. Keyed by the PEM or DER itself, so a changed registration is a different key; bounded,
 * oldest first out. `null` remembers what did not parse. It decides nothing about trust: a
 * certificate is used only when the account's current registrations (read with the account on
 * every request) name it, so a removed one is refused at once whatever is cached here.
 */
const certificates = new Map<string, ParsedCertificate | null>();
const CERTIFICATES_KEPT = 512;

function parsedCertificate(source: string | Buffer): ParsedCertificate | undefined {
  const key = typeof source === 'string' ? source : source.toString('base64');
  let parsed = certificates.get(key);
  if (parsed === undefined) {
    try {
      const x509 = new X509Certificate(source);
      parsed = {
        raw: x509.raw,
        thumbprint: sha1Hex(x509.raw),
        validFrom: Date.parse(x509.validFrom),
        validTo: Date.parse(x509.validTo),
        publicKey: x509.publicKey,
      };
    } catch {
      parsed = null;
    }
    if (certificates.size >= CERTIFICATES_KEPT) certificates.delete(certificates.keys().next().value!);
    certificates.set(key, parsed);
  }
  return parsed ?? undefined;
}

function exactlyOne(parent: XmlElement, uri: string, local: string, what: string): XmlElement {
  const found = childrenNamed(parent, uri, local);
  const first = found[0];
  if (first === undefined) return refuse('InvalidSecurity', `${what} is missing`);
  if (found.length > 1) refuse('InvalidSecurity', `${what} appears more than once`);
  return first;
}

function atMostOne(parent: XmlElement, uri: string, local: string, what: string): XmlElement | undefined {
  const found = childrenNamed(parent, uri, local);
  if (found.length > 1) refuse('InvalidSecurity', `${what} appears more than once`);
  return found[0];
}

function findAll(root: XmlElement, uri: string, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (el: XmlElement): void => {
    if (el.uri === uri && el.local === local) out.push(el);
    for (const c of el.children) walk(c);
  };
  walk(root);
  return out;
}

function isDescendant(el: XmlElement, ancestor: XmlElement): boolean {
  return ancestor.children.some((c) => c === el || isDescendant(el, c));
}

function isDsig(el: XmlElement, local: string): boolean {
  return el.uri === DSIG_NS && el.local === local;
}

/** Strict base64 (whitespace allowed, as XML Schema base64Binary allows it). */
function decodeBase64(text: string): Buffer | undefined {
  const s = text.replace(/[ \t\r\n]/g, '');
  if (s.length === 0 || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  return Buffer.from(s, 'base64');
}

function sha1Hex(der: Buffer): string {
  return createHash('sha1').update(der).digest('hex');
}

function normaliseThumbprint(t: string): string {
  return t.replace(/[\s:]/g, '').toLowerCase();
}

/** Ids are attacker-chosen: quote only a bounded prefix. */
function shorten(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}…` : s;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/** xs:dateTime with a required time zone → epoch ms; undefined when invalid. */
export function parseDateTime(s: string): number | undefined {
  const m = DATE_TIME.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Number(((m[7] ?? '') + '000').slice(0, 3));
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) return undefined;
  const t = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  if (new Date(t).getUTCDate() !== d) return undefined; // e.g. 30 February
  const zone = m[8] ?? 'Z';
  if (zone === 'Z') return t;
  const sign = zone.startsWith('-') ? -1 : 1;
  const offsetMinutes = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6));
  return t - sign * offsetMinutes * 60_000;
}
