/**
 * API clients for tests, over either transport: real HTTPS that trusts exactly the test server's
 * certificate (TLS is verified, not switched off) and frames every body with its length, or
 * Fastify's `inject` into an app that is not listening (test-app.ts). Both answer alike, so a
 * test reads the same whichever it runs over; tokens come from the DfE role's token endpoint.
 */
import assert from 'node:assert/strict';
import { request } from 'node:https';
import type { FastifyInstance } from 'fastify';

export interface ApiAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/** One request: method, path (with query), headers, body. */
export type ApiCall = (
  method: string,
  target: string,
  headers?: Record<string, string>,
  body?: string | Buffer,
) => Promise<ApiAnswer>;

export function apiCall(
  baseUrl: string,
  ca: string,
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Promise<ApiAnswer> {
  return new Promise((resolve, reject) => {
    // Node's client frames a DELETE body only when told its length.
    const length = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const req = request(`${baseUrl}${target}`, { method, ca, headers: { ...length, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: <T>() => JSON.parse(text) as T,
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Requests over real HTTPS to a listening server. */
export function httpsCall(baseUrl: string, ca: string): ApiCall {
  return (method, target, headers, body) => apiCall(baseUrl, ca, method, target, headers, body);
}

/**
 * Requests injected into `app` in-process: no socket, no TLS. `host` is the Host header a
 * browser would send for the public address (the CSRF defences compare Origin with it).
 */
export function injectCall(app: FastifyInstance, host: string, remoteAddress = '127.0.0.1'): ApiCall {
  return async (method, target, headers = {}, body) => {
    const answer = await app.inject({
      method: method as 'GET',
      url: target,
      headers: { host, ...headers },
      remoteAddress,
      ...(body === undefined ? {} : { payload: body }),
    });
    return {
      status: answer.statusCode,
      headers: answer.headers as ApiAnswer['headers'],
      text: answer.body,
      json: <T>() => JSON.parse(answer.body) as T,
    };
  };
}

/** An access token by the client-credentials grant, client authenticated in the form body. */
export async function tokenFor(
  call: ApiCall,
  client: { clientId: string; clientSecret: string },
  scope: string,
): Promise<string> {
  const answer = await call(
    'POST',
    '/oauth2/token',
    { 'content-type': 'application/x-www-form-urlencoded' },
    new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      scope,
    }).toString(),
  );
  assert.equal(answer.status, 200, answer.text);
  return answer.json<{ access_token: string }>().access_token;
}

/** `tokenFor` over HTTPS. */
export function clientCredentialsToken(
  baseUrl: string,
  ca: string,
  client: { clientId: string; clientSecret: string },
  scope: string,
): Promise<string> {
  return tokenFor(httpsCall(baseUrl, ca), client, scope);
}
