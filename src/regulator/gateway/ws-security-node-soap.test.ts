/**
 * Interop: requests produced by node-soap (the `soap` package: WSSecurity for the UsernameToken,
 * WSSecurityCert for the X.509 signature, combined by WSSecurityPlusCert) against verifySecurityHeader.
 *
 * What node-soap produces, and what we make of it:
 * - It cannot use the published two-file WSDL as is (wsdl.xml ⇄ wsdl0.xml, where the prefix i0
 *   means a different namespace in each file): the body comes out as
 *   <ISPPGatewayServices_GetLocalAuthorityChildcareRegister_InputMessage>. With the same contract
 *   flattened into one file (as WCF's ?singleWsdl serves it) it is right, so that is used here.
 * - It adds no WS-Addressing headers: they are added with addSoapHeader. It signs wsa:To only when
 *   asked (additionalReferences: ['wsa:To'], with signerOptions.idMode 'wssecurity' for wsu:Id).
 * - It always signs the Body too, with enveloped-signature + exc-C14N transforms, and puts the
 *   Timestamp after the BinarySecurityToken (policy Layout Strict wants it first): all accepted.
 * - Its Timestamp is valid for 10 minutes, hard-coded: refused with the default 300-second
 *   maximum, accepted with maxMessageAgeSeconds 600.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WSSecurity, WSSecurityCert, WSSecurityPlusCert, createClientAsync } from 'soap';
import { parseSoapEnvelope } from './soap-envelope.ts';
import { RSA_SHA1, RSA_SHA256, SHA1, SHA256, verifySecurityHeader } from './ws-security.ts';
import type { GatewayCredentialLookup, VerifyOptions, VerifyResult } from './ws-security.ts';
import { ACTION_GET_REGISTER, makeTestCertificate } from './test-signing.ts';
import type { TestCertificate } from './test-signing.ts';

const PASSWORD = 'Synthetic-NodeSoap-Pass-825!';
const RESPONSE =
  '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>' +
  '<GetLocalAuthorityChildcareRegisterResponse xmlns="http://information.gateway.ofsted.gov.uk/ispp">' +
  '<GetLocalAuthorityChildcareRegisterResult><RegisterData>synthetic</RegisterData><Status><Code>Success</Code></Status>' +
  '</GetLocalAuthorityChildcareRegisterResult></GetLocalAuthorityChildcareRegisterResponse></s:Body></s:Envelope>';

let cert: TestCertificate;
let dir: string;
let wsdlPath: string;
let url: string;
let lastRequest = '';
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    lastRequest = Buffer.concat(chunks).toString('utf8');
    res.writeHead(200, { 'content-type': 'application/soap+xml; charset=utf-8' });
    res.end(RESPONSE);
  });
});

/** The published contract in one file, like WCF's ?singleWsdl (see the note above). */
async function singleWsdl(into: string): Promise<string> {
  const ref = fileURLToPath(new URL('../../../reference/ispp-contract/', import.meta.url));
  const wsdl = await readFile(join(ref, 'wsdl.xml'), 'utf8');
  const wsdl0 = await readFile(join(ref, 'wsdl0.xml'), 'utf8');
  const binding = (/<wsdl:binding[^]*<\/wsdl:binding>/.exec(wsdl0)?.[0] ?? '').replace(
    'type="i0:ISPPGatewayServices"',
    'type="tns:ISPPGatewayServices"',
  );
  const single = wsdl
    .replace(/<wsdl:import [^>]*wsdl0\.xml"\/>/, '')
    .replace(
      /schemaLocation="\.\/(xsd\d\.xml)"/g,
      (_m, file: string) => `schemaLocation="${join(ref, file)}"`,
    )
    .replace('<wsdl:service', `${binding}<wsdl:service`)
    .replace('binding="i0:CustomMultiFactorBinding', 'binding="tns:CustomMultiFactorBinding');
  const path = join(into, 'ISPPGatewayServices.single.wsdl');
  await writeFile(path, single);
  return path;
}

interface NodeSoapOptions {
  passwordType: 'PasswordText' | 'PasswordDigest';
  signatureAlgorithm: string;
  digestAlgorithm: string;
  signTo: boolean;
}

/** One GetLocalAuthorityChildcareRegister call through node-soap; returns what reached the wire. */
async function nodeSoapRequest(o: NodeSoapOptions): Promise<string> {
  const client = await createClientAsync(wsdlPath, { forceSoap12Headers: true });
  client.setEndpoint(url);
  const username = new WSSecurity('la825', PASSWORD, {
    passwordType: o.passwordType,
    hasTimeStamp: false, // WSSecurityCert adds the (signed) Timestamp
    mustUnderstand: true,
  });
  const signature = new WSSecurityCert(cert.keyPem, cert.pem, '', {
    signatureAlgorithm: o.signatureAlgorithm,
    digestAlgorithm: o.digestAlgorithm,
    ...(o.signTo ? { additionalReferences: ['wsa:To'] } : {}),
    signerOptions: { idMode: 'wssecurity' },
  });
  client.setSecurity(new WSSecurityPlusCert(username, signature));
  client.addSoapHeader(
    `<wsa:Action xmlns:wsa="http://www.w3.org/2005/08/addressing">${ACTION_GET_REGISTER}</wsa:Action>`,
  );
  client.addSoapHeader(`<wsa:To xmlns:wsa="http://www.w3.org/2005/08/addressing">${url}</wsa:To>`);
  // node-soap makes its operation methods at run time from the WSDL, so they are untyped.
  const call = client['GetLocalAuthorityChildcareRegisterAsync'] as (args: unknown) => Promise<unknown[]>;
  const [result] = await call.call(client, { localAuthorityRequest: { LocalAuthorityCode: '825' } });
  assert.deepEqual(result, {
    GetLocalAuthorityChildcareRegisterResult: { RegisterData: 'synthetic', Status: { Code: 'Success' } },
  });
  return lastRequest;
}

function lookup(): GatewayCredentialLookup {
  const seen = new Set<string>();
  return {
    account: async (username) =>
      username === 'la825'
        ? {
            id: 'acct-825',
            password: PASSWORD,
            requireCertificate: true,
            certificates: [{ thumbprintSha1: cert.thumbprintSha1, pem: cert.pem }],
          }
        : undefined,
    rememberNonce: async (nonce) => !seen.has(nonce) && Boolean(seen.add(nonce)),
  };
}

async function verify(
  xml: string,
  options: Partial<VerifyOptions> = {},
  l = lookup(),
): Promise<VerifyResult> {
  return verifySecurityHeader(parseSoapEnvelope(xml), l, {
    now: new Date(),
    expectedTo: url,
    ...options,
  });
}

before(async () => {
  [cert, dir] = await Promise.all([
    makeTestCertificate('Synthetic node-soap Client'),
    mkdtemp(join(tmpdir(), 'ispp-wsdl-')),
  ]);
  wsdlPath = await singleWsdl(dir);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ISPPGateway/ISPPGatewayServices.svc`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe('node-soap WSSecurity + WSSecurityCert', () => {
  test('PasswordText, RSA-SHA1/SHA-1, To signed: accepted with a 600-second maximum age', async () => {
    const xml = await nodeSoapRequest({
      passwordType: 'PasswordText',
      signatureAlgorithm: RSA_SHA1,
      digestAlgorithm: SHA1,
      signTo: true,
    });
    const parsed = parseSoapEnvelope(xml);
    assert.equal(parsed.localAuthorityCode, '825');
    assert.equal(parsed.addressing.action, ACTION_GET_REGISTER);
    const result = await verify(xml, { maxMessageAgeSeconds: 600 });
    assert.deepEqual(result, {
      ok: true,
      accountId: 'acct-825',
      username: 'la825',
      passwordType: 'text',
      certificateThumbprint: cert.thumbprintSha1,
    });
  });

  test('…but refused with the default 300 seconds: node-soap’s Timestamp is valid for 10 minutes', async () => {
    const xml = await nodeSoapRequest({
      passwordType: 'PasswordText',
      signatureAlgorithm: RSA_SHA1,
      digestAlgorithm: SHA1,
      signTo: true,
    });
    const result = await verify(xml);
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.reason, /longer than 300 seconds/);
  });

  test('PasswordDigest, RSA-SHA256/SHA-256: accepted, and a replay is refused', async () => {
    const xml = await nodeSoapRequest({
      passwordType: 'PasswordDigest',
      signatureAlgorithm: RSA_SHA256,
      digestAlgorithm: SHA256,
      signTo: true,
    });
    const shared = lookup();
    const first = await verify(xml, { maxMessageAgeSeconds: 600 }, shared);
    assert.equal(first.ok && first.passwordType, 'digest');
    const again = await verify(xml, { maxMessageAgeSeconds: 600 }, shared);
    assert.match(again.ok ? '' : again.reason, /already been used/);
  });

  test('without additionalReferences node-soap signs only Body and Timestamp: refused', async () => {
    const xml = await nodeSoapRequest({
      passwordType: 'PasswordText',
      signatureAlgorithm: RSA_SHA256,
      digestAlgorithm: SHA256,
      signTo: false,
    });
    const result = await verify(xml, { maxMessageAgeSeconds: 600 });
    assert.deepEqual(result.ok ? undefined : [result.fault, result.reason], [
      'InvalidSecurity',
      'The signature does not cover the wsa:To header',
    ]);
  });
});
