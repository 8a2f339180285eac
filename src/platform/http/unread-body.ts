/**
 * Answers sent before the request's body has all arrived (a 413 over the limit, a 415 refused
 * before reading, a refusal by a hook) must still reach the client. Clients such as Python's
 * `requests` send the whole body before they read the answer; a server that closes the connection
 * while they are still sending leaves unread bytes behind, the kernel resets the connection, and
 * the client sees a broken connection (a TLS EOF) instead of the answer.
 *
 * So the answer goes at once, and the rest of the body is read and thrown away behind it, bounded
 * in bytes and in time; past either bound the connection is dropped. A body declared larger than
 * the bound is not waited for at all: the answer goes with `Connection: close`, as before.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

export interface DiscardLimits {
  /** Most bytes read and thrown away after an early answer. */
  bytes: number;
  /** Longest wait for the rest of the body. */
  ms: number;
}

/** A few MB or ten seconds: a client sending faster than 400 KB/s finishes a 4 MB body in time. */
export const DISCARD_LIMITS: DiscardLimits = { bytes: 4 * 1024 * 1024, ms: 10_000 };

/** True when the request says a body follows (a length above 0, or chunked). */
export function declaresBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = Number(headers['content-length'] ?? 0);
  return Number.isFinite(length) && length > 0;
}

/**
 * What to do with an answer whose request body has not all been read: `drain` behind the answer,
 * `drain-first` when the client asked for the connection to close after the answer (Node closes
 * it as soon as the answer is written, so the answer waits for the body), or `close` when the
 * body is declared larger than the bound.
 */
export function unreadBodyPlan(
  headers: IncomingHttpHeaders,
  limits: DiscardLimits,
): 'drain' | 'drain-first' | 'close' {
  const length = Number(headers['content-length']);
  if (Number.isFinite(length) && length > limits.bytes) return 'close';
  return /\bclose\b/i.test(String(headers.connection ?? '')) ? 'drain-first' : 'drain';
}

/** Reads the rest of the body and throws it away; drops the connection past either bound. */
export function discardRest(raw: IncomingMessage, limits: DiscardLimits): Promise<void> {
  return new Promise((resolve) => {
    let bytes = 0;
    const stop = (drop: boolean) => {
      clearTimeout(timer);
      raw.off('data', count);
      raw.off('end', done);
      raw.off('close', done);
      raw.off('error', done);
      if (drop) raw.socket?.destroy();
      resolve();
    };
    const done = () => stop(false);
    const count = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limits.bytes) stop(true);
    };
    const timer = setTimeout(() => stop(true), limits.ms);
    timer.unref();
    raw.on('data', count);
    raw.once('end', done);
    raw.once('close', done);
    raw.once('error', done);
    raw.resume();
  });
}

/** For the root instance, before any route: applies to every answer of every role. */
export function setUpUnreadBodies(app: FastifyInstance, limits: DiscardLimits = DISCARD_LIMITS): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const raw = request.raw;
    if (raw.complete || raw.readableEnded || !declaresBody(raw.headers)) return payload;
    const plan = unreadBodyPlan(raw.headers, limits);
    if (plan === 'close') {
      reply.header('connection', 'close');
      return payload;
    }
    const discarded = discardRest(raw, limits);
    if (plan === 'drain-first') await discarded;
    // Fastify marks an answer to a body it stopped reading "close"; the connection now stays
    // open until the body is in (or a bound is passed), so the answer is not cut off.
    else reply.removeHeader('connection');
    return payload;
  });
}
