/**
 * Sends what the outbox holds: due deliveries are claimed (a few at a time, each by one instance),
 * signed with the LA's secret at the moment of sending, and posted with a short timeout; every
 * try is recorded. Runs apart from collection: a slow or dead receiver delays only its own
 * deliveries, which are tried again after RETRY_PAUSES_SECONDS.
 */
import type { Kysely } from 'kysely';
import type { EdgateDatabase } from '../../platform/db/schema.ts';
import type { SecretBox } from '../../platform/auth/secret-box.ts';
import { httpsTransport, type Transport } from '../collection/transport.ts';
import { claimDueDeliveries, recordDeliveryAttempt, type ClaimedDelivery } from './webhook-store.ts';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signWebhook } from './webhook-signature.ts';

type Db = Kysely<EdgateDatabase>;

export interface SenderOptions {
  secretBox: SecretBox;
  now: () => Date;
  /** Certificates to trust besides the public ones (a test receiver's own). */
  ca?: string[];
  transport?: Transport;
  /** Per request; a receiver that takes longer is tried again later. */
  timeoutMs?: number;
  /** Longer than a request can take, so one claim covers its whole try. */
  leaseSeconds?: number;
  /** Deliveries claimed and sent at once. */
  batch?: number;
}

/** Sends every delivery due now; returns how many were tried. */
export async function deliverDue(db: Db, options: SenderOptions): Promise<number> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const transport =
    options.transport ??
    httpsTransport({ ...(options.ca ? { ca: options.ca } : {}), timeoutMs, peer: 'receiver' });
  let tried = 0;
  for (;;) {
    const claimed = await claimDueDeliveries(db, options.secretBox, {
      now: options.now(),
      leaseSeconds: options.leaseSeconds ?? Math.ceil(timeoutMs / 1000) * 3,
      limit: options.batch ?? 8,
    });
    if (claimed.length === 0) return tried;
    await Promise.all(claimed.map((claim) => send(db, claim, transport, options.now)));
    tried += claimed.length;
  }
}

async function send(db: Db, claim: ClaimedDelivery, transport: Transport, now: () => Date): Promise<void> {
  const startedAt = now();
  let httpStatus: number | null = null;
  let error: string | null = null;
  try {
    const response = await transport({
      url: claim.url,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'edgate-webhook',
        [SIGNATURE_HEADER]: signWebhook(claim.secret, claim.body, startedAt),
        [DELIVERY_HEADER]: claim.deliveryId,
      },
      body: claim.body,
      maxBytes: 64 * 1024,
    });
    httpStatus = response.status;
    if (response.status < 200 || response.status > 299)
      error = `The receiver answered HTTP ${response.status}.`;
  } catch (failure) {
    error = (failure as Error).message;
  }
  await recordDeliveryAttempt(db, claim, { startedAt, finishedAt: now(), httpStatus, error });
}

/** Runs `deliverDue` on this instance: every half minute, and at once when `kick` is called. */
export function startWebhookSender(
  db: Db,
  options: SenderOptions & { log: { error(details: object, message: string): void } },
): { kick(): void; stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const run = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = deliverDue(db, options)
      .then(() => undefined)
      .catch((error: unknown) => options.log.error({ err: error }, 'webhook deliveries failed'))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          run();
        }
      });
  };
  const timer = setInterval(run, 30_000);
  timer.unref();
  return {
    kick: run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
