/**
 * HTTPS clients that behave as real ones do at the edges, over a plain TLS socket (the server's
 * certificate verified):
 *
 * - `sendAllThenRead` writes the whole request, body and all, before it reads a byte of the
 *   answer, as Python's `requests` (zeep's transport) does. Against a server that answers early
 *   and closes while the body is still coming, it sees a broken connection, not the answer.
 * - `sendHeadThenRead` sends the head and only the start of the body it declares, then reads the
 *   answer: a server that reads the body before answering never answers it.
 */
import { once } from 'node:events';
import { connect, type TLSSocket } from 'node:tls';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
}

async function open(baseUrl: string, ca: string): Promise<TLSSocket> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect({ host: hostname, port: Number(port), ca });
  await once(socket, 'secureConnect');
  return socket;
}

function head(baseUrl: string, request: RawRequest): Buffer {
  const lines = [`${request.method} ${request.path} HTTP/1.1`, `host: ${new URL(baseUrl).host}`];
  for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${value}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`);
}

function write(socket: TLSSocket, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    socket.write(bytes, (error) => (error ? reject(error) : resolve())),
  );
}

/** Reads one answer (framed by content-length, chunked, or the connection's end). */
function readAnswer(socket: TLSSocket): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const finish = (complete: boolean) => {
      const split = received.indexOf('\r\n\r\n');
      if (split < 0) {
        if (complete) reject(new Error(`the connection ended before an answer (${received.length} bytes)`));
        return;
      }
      const [statusLine = '', ...headerLines] = received.subarray(0, split).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      let body = received.subarray(split + 4);
      const length = headers['content-length'];
      if (length !== undefined) {
        if (body.length < Number(length)) {
          if (complete) reject(new Error('the connection ended inside the answer'));
          return;
        }
        body = body.subarray(0, Number(length));
      } else if (headers['transfer-encoding'] === 'chunked') {
        if (!body.includes('\r\n0\r\n\r\n') && !body.subarray(0, 5).equals(Buffer.from('0\r\n\r\n'))) {
          if (complete) reject(new Error('the connection ended inside the answer'));
          return;
        }
        const parts: Buffer[] = [];
        for (let at = 0; ;) {
          const eol = body.indexOf('\r\n', at);
          const size = parseInt(body.subarray(at, eol).toString('latin1'), 16);
          if (!size) break;
          parts.push(body.subarray(eol + 2, eol + 2 + size));
          at = eol + 2 + size + 2;
        }
        body = Buffer.concat(parts);
      } else if (!complete) return;
      socket.off('data', onData);
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: body.toString('utf8') });
    };
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      finish(false);
    };
    socket.on('data', onData);
    socket.once('end', () => finish(true));
    socket.once('error', (error) =>
      reject(new Error(`the connection broke while reading: ${error.message}`)),
    );
    socket.resume();
  });
}

export async function sendAllThenRead(
  baseUrl: string,
  ca: string,
  request: RawRequest,
  body: Iterable<Buffer>,
): Promise<RawAnswer> {
  const socket = await open(baseUrl, ca);
  // Nothing is read until the request is all sent.
  socket.pause();
  let failure: Error | undefined;
  socket.on('error', (error) => (failure ??= error));
  try {
    await write(socket, head(baseUrl, request));
    for (const chunk of body) await write(socket, chunk);
    if (failure) throw failure;
    return await readAnswer(socket);
  } catch (error) {
    throw new Error(`no answer: ${(error as Error).message}`);
  } finally {
    socket.destroy();
  }
}

export async function sendHeadThenRead(
  baseUrl: string,
  ca: string,
  request: RawRequest,
  start: Buffer,
): Promise<RawAnswer> {
  const socket = await open(baseUrl, ca);
  try {
    await write(socket, Buffer.concat([head(baseUrl, request), start]));
    return await readAnswer(socket);
  } finally {
    socket.destroy();
  }
}

/** `total` bytes in chunks of `size`, as HTTP/1.1 chunked transfer coding frames them. */
export function* chunked(total: number, size = 64 * 1024, fill = 0x78): Generator<Buffer> {
  for (let sent = 0; sent < total; sent += size) {
    const n = Math.min(size, total - sent);
    yield Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), Buffer.alloc(n, fill), Buffer.from('\r\n')]);
  }
  yield Buffer.from('0\r\n\r\n');
}

/** `total` bytes in pieces of `size`, for a body framed by content-length. */
export function* pieces(total: number, size = 64 * 1024, fill = 0x78): Generator<Buffer> {
  for (let sent = 0; sent < total; sent += size) yield Buffer.alloc(Math.min(size, total - sent), fill);
}
