/**
 * The webhook's signature, as common webhook schemes sign: `Edgate-Signature: t=<unix seconds>,
 * v1=<hex HMAC-SHA256 of "<t>.<body>">` under the LA's webhook secret. The time is signed with the
 * body, so a body cannot be moved to another time, and a receiver refuses a signature older than
 * its tolerance (a replay); it also keeps the `Edgate-Delivery` ids it has seen, since a retry of
 * the same delivery is signed again with a later time. Both ends are here: the receiver's
 * `verifyWebhookSignature` is what the README tells a receiver to do.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'edgate-signature';
export const DELIVERY_HEADER = 'edgate-delivery';

/** How far a signature's time may be from the receiver's clock, either way, by default. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A new secret for an LA's webhook: 32 random bytes, recognisable by its prefix. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

function hmacHex(secret: string, unixSeconds: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${unixSeconds}.`).update(body).digest('hex');
}

/** The `Edgate-Signature` header for `body` sent at `at`. */
export function signWebhook(secret: string, body: string | Buffer, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${hmacHex(secret, t, body)}`;
}

export type WebhookVerdict = { ok: true; sentAt: Date } | { ok: false; reason: string };

/**
 * What a receiver checks: the header is well formed, one of its `v1` values is the HMAC of
 * `t.body` under `secret` (compared in constant time, over the body's bytes exactly as received),
 * and `t` is within `toleranceSeconds` of `now`.
 */
export function verifyWebhookSignature(input: {
  secret: string;
  header: string | undefined;
  body: string | Buffer;
  now: Date;
  toleranceSeconds?: number;
}): WebhookVerdict {
  if (!input.header) return { ok: false, reason: 'no Edgate-Signature header' };
  let t: number | undefined;
  const signatures: string[] = [];
  for (const part of input.header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (t === undefined || signatures.length === 0)
    return { ok: false, reason: 'the Edgate-Signature header is not t=<unix>,v1=<hex>' };
  const expected = Buffer.from(hmacHex(input.secret, t, input.body), 'hex');
  if (!signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected)))
    return { ok: false, reason: 'the signature does not match the body' };
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(input.now.getTime() / 1000 - t) > tolerance)
    return { ok: false, reason: `the signature is more than ${tolerance} seconds from now (a replay?)` };
  return { ok: true, sentAt: new Date(t * 1000) };
}
