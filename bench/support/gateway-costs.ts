/**
 * bench/gateway's per-request costs measured alone, on an idle process: what one
 * GetLocalAuthorityChildcareRegister answer costs in CPU before TLS and HTTP, split into the
 * steps the gateway does for every request. The load run says whether the targets hold; these
 * say which step a change should go after when they do not.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { parseSoapEnvelope } from '../../src/regulator/gateway/soap-envelope.ts';
import { verifySecurityHeader } from '../../src/regulator/gateway/ws-security.ts';
import { registerDataContent, registerDataResponse } from '../../src/regulator/gateway/soap-response.ts';

export interface RequestCosts {
  /** Median ms over the rounds. */
  parseAndVerifyMs: number;
  gunzipStreamMs: number;
  /** registerDataContent over the decoded document (CDATA framing; once per extract, cached). */
  contentMs: number;
  /** registerDataResponse(gunzip stream) drained: the whole reply body as the route gets it. */
  replyBodyMs: number;
  replyBodyBytes: number;
  rounds: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round2 = (n: number) => Math.round(n * 100) / 100;

async function timeIt(rounds: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  await fn(); // warm
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return round2(median(times));
}

async function drain(source: AsyncIterable<Buffer>): Promise<number> {
  let bytes = 0;
  for await (const chunk of source) bytes += chunk.length;
  return bytes;
}

export async function measureRequestCosts(input: {
  requestXml: string;
  endpointUrl: string;
  password: string;
  certificatePem: string;
  gzipContent: Buffer;
  rounds?: number;
}): Promise<RequestCosts> {
  const rounds = input.rounds ?? 15;
  const certificate = {
    thumbprintSha1: createHash('sha1').update(new X509Certificate(input.certificatePem).raw).digest('hex'),
    pem: input.certificatePem,
  };
  // The lookup the gateway backs with PostgreSQL, in memory: this times the XML and crypto work.
  const lookup = {
    account: async () => ({
      id: '1',
      password: input.password,
      requireCertificate: true,
      certificates: [certificate],
    }),
    rememberNonce: async () => true,
  };
  const parseAndVerifyMs = await timeIt(rounds, async () => {
    const result = await verifySecurityHeader(parseSoapEnvelope(input.requestXml), lookup, {
      now: new Date(),
      expectedTo: input.endpointUrl,
      maxMessageAgeSeconds: 600,
    });
    if (!result.ok) throw new Error(`the bench request does not verify: ${result.logReason}`);
  });
  const gunzipStreamMs = await timeIt(rounds, () =>
    drain(Readable.from([input.gzipContent]).pipe(createGunzip())),
  );
  const document = gunzipSync(input.gzipContent);
  const contentMs = await timeIt(rounds, () => registerDataContent(document).length);
  let replyBodyBytes = 0;
  const replyBodyMs = await timeIt(rounds, async () => {
    // A cache miss: inflate, frame as CDATA, then the envelope (RegisterDataCache does the first two once per extract).
    const content = registerDataContent(gunzipSync(input.gzipContent));
    replyBodyBytes = registerDataResponse(content, 'urn:uuid:bench').reduce(
      (sum, chunk) => sum + chunk.length,
      0,
    );
  });
  return { parseAndVerifyMs, gunzipStreamMs, contentMs, replyBodyMs, replyBodyBytes, rounds };
}
