import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignedXml } from 'xml-crypto';
import { parseSoapEnvelope } from './soap-envelope.ts';
import { AUTHENTICATION_FAILED, verifySecurityHeader } from './ws-security.ts';
import type {
  GatewayAccount,
  GatewayCredentialLookup,
  SecurityFault,
  VerifyOptions,
  VerifyResult,
} from './ws-security.ts';
import { buildGetLocalAuthorityChildcareRegisterRequest, makeTestCertificate } from './test-signing.ts';
import type { RequestOptions, TestCertificate } from './test-signing.ts';

const TO = 'https://gateway.example.test/ISPPGateway/ISPPGatewayServices.svc';
const NOW = new Date();
const PASSWORDS = {
  la825: 'Synthetic-Pass-825!',
  la826: 'Synthetic-Pass-826!',
  la900: 'Synthetic-Pass-900!',
};

let certA: TestCertificate; // registered to la825
let certB: TestCertificate; // registered to la826
let rogue: TestCertificate; // registered to nobody
let expired: TestCertificate;
let weak: TestCertificate; // RSA 1024

/** Shared like the PostgreSQL table would be: every "instance" sees the same nonces. */
class NonceTable {
  private readonly seen = new Map<string, Date>();
  remember(nonce: string, expiresAt: Date): boolean {
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, expiresAt);
    return true;
  }
}

function lookupWith(
  accounts: Record<string, GatewayAccount>,
  nonces = new NonceTable(),
): GatewayCredentialLookup {
  return {
    account: async (username) => (Object.hasOwn(accounts, username) ? accounts[username] : undefined),
    rememberNonce: async (nonce, expiresAt) => nonces.remember(nonce, expiresAt),
  };
}

function accounts(): Record<string, GatewayAccount> {
  const reg = (c: TestCertificate) => ({ thumbprintSha1: c.thumbprintSha1, pem: c.pem });
  return {
    la825: {
      id: 'acct-825',
      password: PASSWORDS.la825,
      requireCertificate: true,
      certificates: [reg(certA)],
    },
    la826: {
      id: 'acct-826',
      password: PASSWORDS.la826,
      requireCertificate: true,
      certificates: [reg(certB)],
    },
    la900: { id: 'acct-900', password: PASSWORDS.la900, requireCertificate: false, certificates: [] },
  };
}

const request = (overrides: Partial<RequestOptions> = {}): string =>
  buildGetLocalAuthorityChildcareRegisterRequest('825', {
    to: TO,
    now: NOW,
    username: 'la825',
    password: PASSWORDS.la825,
    signer: certA,
    ...overrides,
  });

async function check(
  xml: string,
  options: Partial<VerifyOptions> = {},
  lookup: GatewayCredentialLookup = lookupWith(accounts()),
): Promise<VerifyResult> {
  return verifySecurityHeader(parseSoapEnvelope(xml), lookup, { now: NOW, expectedTo: TO, ...options });
}

/** Every value in the request a fault must never echo. */
function secretsIn(xml: string): string[] {
  const found = [...Object.values(PASSWORDS)];
  for (const m of xml.matchAll(/<(?:\w+:)?(?:DigestValue|Nonce|Password|SignatureValue)\b[^>]*>([^<]+)</g)) {
    if (m[1]) found.push(m[1]);
  }
  return found;
}

function assertRefused(result: VerifyResult, fault: SecurityFault, reason: RegExp, xml: string): void {
  assert.equal(result.ok, false, 'expected a refusal');
  if (result.ok) return;
  assert.equal(result.fault, fault, `${result.fault}: ${result.reason} (${result.logReason})`);
  assert.match(result.reason, reason);
  for (const secret of secretsIn(xml)) {
    assert.ok(
      !result.reason.includes(secret) && !result.logReason.includes(secret),
      'a secret leaked into a fault',
    );
  }
}

function assertOk(result: VerifyResult): asserts result is Extract<VerifyResult, { ok: true }> {
  assert.equal(result.ok, true, result.ok ? '' : `${result.fault}: ${result.reason} (${result.logReason})`);
}

before(async () => {
  // Key generation dominates this file's time: do it once, in parallel.
  [certA, certB, rogue, weak] = await Promise.all([
    makeTestCertificate('Synthetic LA 825 Client'),
    makeTestCertificate('Synthetic LA 826 Client'),
    makeTestCertificate('Synthetic Rogue Client'),
    makeTestCertificate('Synthetic Weak Client', { keySize: 1024 }),
  ]);
  // Another certificate (another thumbprint) for certA's key: no new key needed.
  expired = await makeTestCertificate('Synthetic Expired Client', {
    keyPem: certA.keyPem,
    notBefore: new Date(NOW.getTime() - 400 * 86400_000),
    notAfter: new Date(NOW.getTime() - 30 * 86400_000),
  });
});

describe('valid requests', () => {
  test('PasswordText + BinarySecurityToken, RSA-SHA1/SHA-1 (as WCF sends)', async () => {
    const xml = request();
    assert.match(xml, /xmldsig#rsa-sha1/);
    const result = await check(xml);
    assertOk(result);
    assert.deepEqual(result, {
      ok: true,
      accountId: 'acct-825',
      username: 'la825',
      passwordType: 'text',
      certificateThumbprint: certA.thumbprintSha1,
    });
  });

  test('PasswordDigest + thumbprint KeyIdentifier, RSA-SHA256/SHA-256', async () => {
    const xml = request({ passwordType: 'digest', keyReference: 'thumbprint', algorithm: 'sha256' });
    assert.match(xml, /ThumbprintSHA1/);
    assert.doesNotMatch(xml, /BinarySecurityToken/);
    const result = await check(xml);
    assertOk(result);
    assert.equal(result.passwordType, 'digest');
    assert.equal(result.certificateThumbprint, certA.thumbprintSha1);
  });

  test('an account without the certificate requirement may send no signature', async () => {
    const xml = request({ username: 'la900', password: PASSWORDS.la900, signer: undefined });
    const result = await check(xml);
    assertOk(result);
    assert.equal(result.accountId, 'acct-900');
    assert.equal(result.certificateThumbprint, undefined);
  });

  test('a signature that also covers the Body is fine', async () => {
    assertOk(await check(request({ signedParts: ['Timestamp', 'To', 'Body'] })));
    assertOk(await check(request({ signedParts: ['Timestamp', 'To', 'Operation'] })));
  });

  test('a Reference to an element inside another signed element is refused (each is canonicalised once)', async () => {
    const xml = request({ signedParts: ['Timestamp', 'To', 'Body', 'Operation'] });
    assertRefused(await check(xml), 'InvalidSecurity', /inside another signed element/, xml);
  });
});

describe('authentication', () => {
  test('wrong password (text and digest)', async () => {
    for (const passwordType of ['text', 'digest'] as const) {
      const xml = request({ password: 'Wrong-Synthetic-Pass', passwordType });
      const result = await check(xml);
      assertRefused(result, 'FailedAuthentication', /could not be authenticated/, xml);
      assert.equal(!result.ok && result.reason, AUTHENTICATION_FAILED);
      assert.match(!result.ok ? result.logReason : '', /wrong password/);
    }
  });

  test('unknown user: the same fault and reason as a wrong password', async () => {
    const unknown = request({ username: 'no-such-la' });
    const wrong = request({ password: 'Wrong-Synthetic-Pass' });
    const a = await check(unknown);
    const b = await check(wrong);
    assertRefused(a, 'FailedAuthentication', /could not be authenticated/, unknown);
    assert.ok(!a.ok && !b.ok);
    assert.deepEqual({ fault: a.fault, reason: a.reason }, { fault: b.fault, reason: b.reason });
    assert.notEqual(a.logReason, b.logReason); // the server log may tell them apart
  });

  test('a replayed digest nonce fails, on another instance too', async () => {
    const table = new NonceTable();
    const instance1 = lookupWith(accounts(), table);
    const instance2 = lookupWith(accounts(), table);
    const xml = request({ passwordType: 'digest' });
    assertOk(await check(xml, {}, instance1));
    assertRefused(await check(xml, {}, instance2), 'InvalidSecurity', /already been used/, xml);
    assertRefused(await check(xml, {}, instance1), 'InvalidSecurity', /already been used/, xml);
  });

  test('a nonce is remembered until its message could no longer be accepted', async () => {
    let remembered: Date | undefined;
    const lookup: GatewayCredentialLookup = {
      account: lookupWith(accounts()).account,
      rememberNonce: async (_nonce, expiresAt) => {
        remembered = expiresAt;
        return true;
      },
    };
    assertOk(await check(request({ passwordType: 'digest' }), {}, lookup));
    assert.equal(remembered?.getTime(), NOW.getTime() + 600_000); // Created + max age + skew
  });

  test('a failed request does not use up its nonce', async () => {
    const table = new NonceTable();
    const nonce = Buffer.from('0123456789abcdef');
    const bad = request({ passwordType: 'digest', nonce, password: 'Wrong-Synthetic-Pass' });
    assertRefused(
      await check(bad, {}, lookupWith(accounts(), table)),
      'FailedAuthentication',
      /authenticated/,
      bad,
    );
    assertOk(await check(request({ passwordType: 'digest', nonce }), {}, lookupWith(accounts(), table)));
  });

  test('unsupported password type', async () => {
    const xml = request().replace('#PasswordText', '#PasswordPlain');
    assertRefused(await check(xml), 'InvalidSecurityToken', /password type/, xml);
  });

  test('missing UsernameToken', async () => {
    const xml = request({ username: undefined });
    assertRefused(await check(xml), 'InvalidSecurity', /UsernameToken.*missing/, xml);
  });
});

describe('timestamp', () => {
  test('expired', async () => {
    const xml = request({ now: new Date(NOW.getTime() - 20 * 60_000) });
    assertRefused(await check(xml), 'MessageExpired', /expired/, xml);
  });

  test('created in the future beyond the skew', async () => {
    const xml = request({ now: new Date(NOW.getTime() + 10 * 60_000) });
    assertRefused(await check(xml), 'InvalidSecurity', /in the future/, xml);
    // …but within the skew it is accepted.
    assertOk(await check(request({ now: new Date(NOW.getTime() + 60_000) })));
  });

  test('valid for longer than the maximum message age', async () => {
    const xml = request({ ttlSeconds: 3600 });
    assertRefused(await check(xml), 'InvalidSecurity', /longer than 300 seconds/, xml);
    assertOk(await check(xml, { maxMessageAgeSeconds: 3600 }));
  });

  test('missing', async () => {
    const xml = request({ omitTimestamp: true, signedParts: ['To'] });
    assertRefused(await check(xml), 'InvalidSecurity', /Timestamp.*missing/, xml);
  });

  test('two Timestamps', async () => {
    const xml = request().replace(/(<u:Timestamp[^]*?<\/u:Timestamp>)/, '$1$1');
    assertRefused(await check(xml), 'InvalidSecurity', /more than once/, xml);
  });
});

describe('X.509 endorsing signature', () => {
  test('the account requires one and there is none', async () => {
    const xml = request({ signer: undefined });
    assertRefused(await check(xml), 'InvalidSecurity', /must sign/, xml);
  });

  test('a valid signature by a certificate registered to nobody (BST and thumbprint)', async () => {
    for (const keyReference of ['bst', 'thumbprint'] as const) {
      const xml = request({ signer: rogue, keyReference });
      assertRefused(await check(xml), 'FailedAuthentication', /not registered to this account/, xml);
    }
  });

  test('a valid signature by the certificate of ANOTHER account', async () => {
    for (const keyReference of ['bst', 'thumbprint'] as const) {
      const xml = request({ signer: certB, keyReference });
      assertRefused(await check(xml), 'FailedAuthentication', /not registered to this account/, xml);
    }
  });

  test('an account row whose PEM does not match its thumbprint is not trusted', async () => {
    const broken = accounts();
    broken.la825 = {
      ...broken.la825!,
      certificates: [{ thumbprintSha1: certA.thumbprintSha1, pem: certB.pem }],
    };
    const xml = request();
    assertRefused(await check(xml, {}, lookupWith(broken)), 'FailedAuthentication', /not registered/, xml);
  });

  test('an expired certificate, and one with a 1024-bit key', async () => {
    const reg = accounts();
    reg.la825!.certificates.push(
      { thumbprintSha1: expired.thumbprintSha1, pem: expired.pem },
      { thumbprintSha1: weak.thumbprintSha1, pem: weak.pem },
    );
    const old = request({ signer: expired });
    assertRefused(await check(old, {}, lookupWith(reg)), 'FailedAuthentication', /expired/, old);
    const small = request({ signer: weak });
    assertRefused(
      await check(small, {}, lookupWith(reg)),
      'InvalidSecurityToken',
      /at least 2048 bits/,
      small,
    );
  });

  test('wsa:To changed after signing', async () => {
    const xml = request().replace(`>${TO}<`, '>https://elsewhere.example.test/svc<');
    assertRefused(await check(xml, { expectedTo: undefined }), 'FailedCheck', /#_1 has been altered/, xml);
  });

  test('Timestamp changed after signing', async () => {
    const signed = request();
    const expires = /<u:Expires>([^<]+)</.exec(signed)?.[1] ?? '';
    const earlier = new Date(Date.parse(expires) - 1000).toISOString();
    const xml = signed.replace(`<u:Expires>${expires}<`, `<u:Expires>${earlier}<`);
    assertRefused(await check(xml), 'FailedCheck', /#_0 has been altered/, xml);
  });

  test('SignatureValue changed', async () => {
    const xml = request().replace(
      /<SignatureValue>(.)/,
      (_m, c: string) => `<SignatureValue>${c === 'A' ? 'B' : 'A'}`,
    );
    assertRefused(await check(xml), 'FailedCheck', /signature value does not verify/, xml);
  });

  test('a signature that does not cover wsa:To, or not the Timestamp', async () => {
    const noTo = request({ signedParts: ['Timestamp'] });
    assertRefused(await check(noTo), 'InvalidSecurity', /does not cover the wsa:To/, noTo);
    const noTs = request({ signedParts: ['To'] });
    assertRefused(
      await check(noTs),
      'InvalidSecurity',
      /does not cover the Security header’s wsu:Timestamp/,
      noTs,
    );
  });

  test('wsa:To that does not address this service', async () => {
    const xml = request({ to: 'https://elsewhere.example.test/svc' });
    assertRefused(await check(xml), 'InvalidSecurity', /does not address this service/, xml);
  });

  describe('signature wrapping', () => {
    /** xml-crypto on its own (no position checks) would accept these documents. */
    function xmlCryptoAloneAccepts(xml: string, cert: TestCertificate): boolean {
      const v = new SignedXml({ publicCert: cert.pem });
      const sig =
        /<Signature xmlns="http:\/\/www.w3.org\/2000\/09\/xmldsig#">[^]*<\/Signature>/.exec(xml)?.[0] ?? '';
      v.loadSignature(sig);
      return v.checkSignature(xml);
    }

    test('the signed To moved into another header, an unsigned To put in its place', async () => {
      const signed = request();
      const originalTo = /<a:To [^>]*>[^<]*<\/a:To>/.exec(signed)?.[0] ?? '';
      const xml = signed.replace(
        originalTo,
        `<a:To s:mustUnderstand="1">https://attacker.example.test/</a:To><w:Wrapper xmlns:w="urn:example:wrapper">${originalTo}</w:Wrapper>`,
      );
      assert.equal(xmlCryptoAloneAccepts(xml, certA), true);
      const result = await check(xml, { expectedTo: undefined });
      assertRefused(result, 'InvalidSecurity', /does not cover the wsa:To/, xml);
    });

    test('an old signed Timestamp hidden in the Security header, a fresh unsigned one in its place', async () => {
      const old = new Date(NOW.getTime() - 20 * 60_000);
      const signed = request({ now: old });
      const originalTs = /<u:Timestamp[^]*?<\/u:Timestamp>/.exec(signed)?.[0] ?? '';
      const fresh = `<u:Timestamp u:Id="fresh"><u:Created>${NOW.toISOString()}</u:Created><u:Expires>${new Date(NOW.getTime() + 300_000).toISOString()}</u:Expires></u:Timestamp>`;
      const xml = signed.replace(
        originalTs,
        `${fresh}<w:Hidden xmlns:w="urn:example:wrapper">${originalTs}</w:Hidden>`,
      );
      assert.equal(xmlCryptoAloneAccepts(xml, certA), true);
      assertRefused(
        await check(xml),
        'InvalidSecurity',
        /does not cover the Security header’s wsu:Timestamp/,
        xml,
      );
    });

    test('a second element carrying the signed Id', async () => {
      const xml = request().replace('<s:Body>', '<s:Body><w:Decoy xmlns:w="urn:example:wrapper" u:Id="_1"/>');
      assertRefused(await check(xml), 'InvalidSecurity', /used by more than one element/, xml);
    });

    test('a second signature, or one outside the Security header', async () => {
      const signed = request();
      const sig =
        /<Signature xmlns="http:\/\/www.w3.org\/2000\/09\/xmldsig#">[^]*<\/Signature>/.exec(signed)?.[0] ??
        '';
      const twice = signed.replace(
        '</o:Security>',
        `${sig}</o:Security>`.replace('<Signature ', '<Signature Id="again" '),
      );
      assertRefused(await check(twice), 'InvalidSecurity', /More than one ds:Signature/, twice);
      const moved = signed.replace(sig, '').replace('<s:Body>', `<s:Body>${sig}`);
      assertRefused(await check(moved), 'InvalidSecurity', /child of wsse:Security/, moved);
    });

    test('a second Security header', async () => {
      const signed = request();
      const xml = signed.replace(
        '</s:Header>',
        `<o:Security xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"/></s:Header>`,
      );
      assertRefused(await check(xml), 'InvalidSecurity', /More than one wsse:Security/, xml);
    });
  });

  describe('algorithms', () => {
    test('RSA-SHA512 (valid, but not in the policy) is refused', async () => {
      const xml = request({ signatureAlgorithmUri: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512' });
      assertRefused(await check(xml), 'InvalidSecurity', /Unsupported signature algorithm/, xml);
    });

    test('SHA-512 digests are refused', async () => {
      const xml = request({ digestAlgorithmUri: 'http://www.w3.org/2001/04/xmlenc#sha512' });
      assertRefused(await check(xml), 'InvalidSecurity', /Unsupported digest algorithm/, xml);
    });

    test('HMAC-SHA1 (key confusion) is refused', async () => {
      const xml = request().replace('xmldsig#rsa-sha1', 'xmldsig#hmac-sha1');
      assertRefused(await check(xml), 'InvalidSecurity', /Unsupported signature algorithm/, xml);
    });

    test('inclusive C14N and other transforms are refused', async () => {
      const c14n = request().replace(
        '<CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>',
        '<CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>',
      );
      assertRefused(await check(c14n), 'InvalidSecurity', /canonicalization algorithm/, c14n);
      const xpath = request().replace(
        '<Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>',
        '<Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"/>',
      );
      assertRefused(await check(xpath), 'InvalidSecurity', /Unsupported transform/, xpath);
    });

    test('a key given in KeyInfo (X509Data) instead of a token reference is refused', async () => {
      const signed = request({ keyReference: 'thumbprint' });
      const der = certA.pem.replace(/-----[^-]+-----|\s/g, '');
      const xml = signed.replace(
        /<KeyInfo>[^]*<\/KeyInfo>/,
        `<KeyInfo><X509Data><X509Certificate>${der}</X509Certificate></X509Data></KeyInfo>`,
      );
      assertRefused(await check(xml), 'InvalidSecurityToken', /SecurityTokenReference/, xml);
    });
  });
});
