/**
 * Interop: the ISPP gateway over real HTTPS with SOAP clients edgate did not write, each loading
 * the WSDL from the server, signing the way the contract's policy asks, and parsing RegisterData
 * itself — which must be the stored extract byte for byte.
 *
 * - node-soap (the `soap` package): WSSecurity (UsernameToken) + WSSecurityCert (X.509 signature
 *   over Timestamp, Body and, asked for, wsa:To) combined by WSSecurityPlusCert; WS-Addressing
 *   headers added by hand. It reads `?singleWsdl`: with `?wsdl` (wsdl ⇄ wsdl0, where the prefix
 *   i0 means a different namespace in each file) it sends the wrong body element.
 * - zeep (Debian's python3-zeep + python3-xmlsec, run by /usr/bin/python3):
 *   test/interop/zeep_client.py reads `?wsdl` (the two-file contract as published) or
 *   `?singleWsdl`; zeep adds WS-Addressing itself, the script a Timestamp, a UsernameToken and a
 *   signature over Timestamp and wsa:To.
 *
 * The zeep tests are skipped when those packages are missing, unless EDGATE_REQUIRE_INTEROP=1
 * (as in CI), when they fail.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { WSSecurity, WSSecurityCert, WSSecurityPlusCert, createClientAsync } from 'soap';
import { startTestServer, type TestServer } from './support/test-server.ts';
import { upsertRegistrations } from '../src/regulator/register/register-store.ts';
import { generateRegister } from '../src/contracts/childcare-extract/synthetic-register.ts';
import { runExtracts } from '../src/regulator/extract/extract-runs.ts';
import { readyExtract } from '../src/regulator/extract/extract-store.ts';
import { londonDateOf } from '../src/platform/calendar.ts';
import { addCertificate, createGatewayAccount } from '../src/regulator/gateway/gateway-store.ts';
import {
  ACTION_GET_REGISTER,
  WSA_ANONYMOUS,
  makeTestCertificate,
  type TestCertificate,
} from '../src/regulator/gateway/test-signing.ts';
import { WSA_NS } from '../src/regulator/gateway/soap-envelope.ts';
import { AUTHENTICATION_FAILED } from '../src/regulator/gateway/ws-security.ts';
import { GATEWAY_PATH } from '../src/regulator/gateway/gateway-routes.ts';

const run = promisify(execFile);

const PYTHON = '/usr/bin/python3';
const ZEEP_CLIENT = fileURLToPath(new URL('./interop/zeep_client.py', import.meta.url));
const zeepMissing = ((): string | undefined => {
  const probe = spawnSync(PYTHON, ['-c', 'import zeep, xmlsec'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} cannot be run (${probe.error.message})`;
  if (probe.status !== 0) return `${PYTHON} lacks zeep or xmlsec: ${probe.stderr.trim().split('\n').at(-1)}`;
  return undefined;
})();
const zeepRequired = process.env.EDGATE_REQUIRE_INTEROP === '1';

/** Byte-for-byte equality, reporting where the first difference is rather than two megabytes. */
function assertSameBytes(actual: Buffer, expected: Buffer, label: string): void {
  if (actual.equals(expected)) return;
  let at = 0;
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++;
  const around = (b: Buffer) => JSON.stringify(b.subarray(Math.max(0, at - 40), at + 40).toString('utf8'));
  assert.fail(
    `${label}: ${actual.length} bytes, expected ${expected.length}; first difference at byte ${at}:\n` +
      `  got      ${around(actual)}\n  expected ${around(expected)}`,
  );
}

/** What node-soap returns for the operation (its client methods are made at run time, untyped). */
interface RegisterResult {
  GetLocalAuthorityChildcareRegisterResult: {
    RegisterData?: string;
    Status: { Code: string; Description?: string };
  };
}
interface IsppNodeSoapClient {
  GetLocalAuthorityChildcareRegisterAsync(
    args: { localAuthorityRequest: { LocalAuthorityCode: string } },
    options: { httpsAgent: Agent },
  ): Promise<[RegisterResult, string, unknown, string]>;
}

describe('ISPP gateway interop', () => {
  let server: TestServer;
  let endpoint: string;
  let cert: TestCertificate;
  let password: string;
  let dir: string;
  let httpsAgent: Agent;
  const today = londonDateOf(new Date());
  const files = { ca: '', cert: '', key: '' };

  before(async () => {
    server = await startTestServer();
    endpoint = `${server.baseUrl}${GATEWAY_PATH}`;
    httpsAgent = new Agent({ ca: server.ca });
    const { db } = server.handle;
    await upsertRegistrations(db, [
      ...generateRegister({ scale: 'demo', seed: 31, today, laCodes: ['825', '826'] }),
    ]);
    await runExtracts(db, { extractDate: today, laCodes: ['825', '826'] });
    cert = await makeTestCertificate('Buckinghamshire interop client');
    const account = await createGatewayAccount(db, server.secretBox, {
      username: 'bucks-interop',
      laCode: '825',
    });
    password = account.password;
    await addCertificate(db, 'bucks-interop', cert.pem);
    dir = mkdtempSync(path.join(tmpdir(), 'edgate-interop-'));
    for (const [name, pem] of [
      ['ca', server.ca],
      ['cert', cert.pem],
      ['key', cert.keyPem],
    ] as const) {
      files[name] = path.join(dir, `${name}.pem`);
      writeFileSync(files[name], pem);
    }
  });
  after(async () => {
    httpsAgent?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await server?.close();
  });

  const storedExtract = async (laCode: string): Promise<Buffer> => {
    const stored = await readyExtract(server.handle.db, laCode, today);
    assert.ok(stored, `a ready extract for ${laCode} on ${today}`);
    return gunzipSync(stored.content);
  };

  describe('node-soap', () => {
    const nodeSoapClient = async (user: { username: string; password: string }) => {
      const client = await createClientAsync(`${endpoint}?singleWsdl`, {
        forceSoap12Headers: true,
        // Otherwise node-soap trims strings, and the extract ends with a newline.
        preserveWhitespace: true,
        wsdl_options: { httpsAgent },
      });
      client.setSecurity(
        new WSSecurityPlusCert(
          new WSSecurity(user.username, user.password, {
            passwordType: 'PasswordText',
            hasTimeStamp: false, // WSSecurityCert adds the (signed) Timestamp
            mustUnderstand: true,
          }),
          new WSSecurityCert(cert.keyPem, cert.pem, '', {
            additionalReferences: ['wsa:To'],
            signerOptions: { idMode: 'wssecurity' },
          }),
        ),
      );
      // node-soap adds no WS-Addressing headers of its own.
      const wsa = (name: string, content: string) =>
        client.addSoapHeader(`<wsa:${name} xmlns:wsa="${WSA_NS}">${content}</wsa:${name}>`);
      wsa('Action', ACTION_GET_REGISTER);
      wsa('MessageID', `urn:uuid:${randomUUID()}`);
      wsa('ReplyTo', `<wsa:Address>${WSA_ANONYMOUS}</wsa:Address>`);
      wsa('To', endpoint);
      // Narrowed to the one operation used: node-soap types its generated methods as any.
      return client as unknown as IsppNodeSoapClient;
    };

    test('collects the extract: RegisterData is the stored document byte for byte', async () => {
      const client = await nodeSoapClient({ username: 'bucks-interop', password });
      const [result] = await client.GetLocalAuthorityChildcareRegisterAsync(
        { localAuthorityRequest: { LocalAuthorityCode: '825' } },
        { httpsAgent },
      );
      const { RegisterData, Status } = result.GetLocalAuthorityChildcareRegisterResult;
      assert.equal(Status.Code, 'Success');
      assert.equal(typeof RegisterData, 'string');
      assertSameBytes(Buffer.from(RegisterData!, 'utf8'), await storedExtract('825'), 'RegisterData');
    });

    test('a wrong password comes back as a SOAP fault, reported as an error', async () => {
      const client = await nodeSoapClient({ username: 'bucks-interop', password: 'not-the-password' });
      await assert.rejects(
        client.GetLocalAuthorityChildcareRegisterAsync(
          { localAuthorityRequest: { LocalAuthorityCode: '825' } },
          { httpsAgent },
        ),
        new RegExp(`^Error: s:Sender: \\w+:FailedAuthentication: ${AUTHENTICATION_FAILED}$`),
      );
    });
  });

  describe('zeep', { skip: zeepMissing && !zeepRequired ? zeepMissing : false }, () => {
    const zeep = async (options: {
      password: string;
      out: string;
      wsdl?: 'wsdl' | 'singleWsdl';
      /** Bytes of padding after the LA code, for an oversized request. */
      pad?: number;
    }) => {
      if (zeepMissing) {
        assert.fail(
          `${zeepMissing}. EDGATE_REQUIRE_INTEROP=1 needs Debian's python3-zeep and python3-xmlsec ` +
            '(apt-get install -y python3-zeep python3-xmlsec)',
        );
      }
      // Asynchronous: the server answering it runs in this process.
      const { stdout } = await run(
        PYTHON,
        [
          ZEEP_CLIENT,
          ['--endpoint', endpoint],
          ['--wsdl', options.wsdl ?? 'wsdl'],
          ['--ca', files.ca],
          ['--username', 'bucks-interop'],
          ['--cert', files.cert],
          ['--key', files.key],
          ['--la', '825'],
          ['--out', options.out],
          ['--pad', String(options.pad ?? 0)],
        ].flat(),
        // The password goes in the environment, not on the command line.
        { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ISPP_PASSWORD: options.password } },
      ).catch((error: Error & { stdout?: string; stderr?: string; code?: number }) => {
        // A fault is exit status 2 with the fault on stdout; anything else is a broken run.
        if (error.code === 2 && error.stdout) return { stdout: error.stdout };
        throw new Error(`zeep client failed: ${error.message}\n${error.stderr ?? ''}`);
      });
      return stdout.trim();
    };

    for (const wsdl of ['wsdl', 'singleWsdl'] as const) {
      test(`collects the extract (WSDL from ?${wsdl}): RegisterData is the stored document byte for byte`, async () => {
        const out = path.join(dir, `zeep-825-${wsdl}.xml`);
        assert.equal(await zeep({ password, out, wsdl }), 'Success');
        assertSameBytes(readFileSync(out), await storedExtract('825'), 'RegisterData');
      });
    }

    test('a request over 64 KB (2 MB) gets the 413 SOAP fault, not a broken connection', async () => {
      const out = path.join(dir, 'zeep-oversized.xml');
      assert.equal(
        await zeep({ password, out, pad: 2 * 1024 * 1024 }),
        'Fault: s:Sender: The request is larger than 65536 bytes.',
      );
      assert.equal(existsSync(out), false, 'no RegisterData written');
    });

    test('a wrong password comes back as a SOAP fault', async () => {
      const out = path.join(dir, 'zeep-refused.xml');
      assert.equal(
        await zeep({ password: 'not-the-password', out }),
        `Fault: s:Sender/FailedAuthentication: ${AUTHENTICATION_FAILED}`,
      );
      assert.equal(existsSync(out), false, 'no RegisterData written');
    });
  });
});
