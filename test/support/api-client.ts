/**
 * A small HTTPS client for API tests: it trusts exactly the test server's certificate (TLS is
 * verified, not switched off), frames every body with its length, and gets client-credentials
 * tokens from the DfE role's token endpoint.
 */
import assert from 'node:assert/strict';
import { request } from 'node:https';

export interface ApiAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

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

/** An access token by the client-credentials grant, client authenticated in the form body. */
export async function clientCredentialsToken(
  baseUrl: string,
  ca: string,
  client: { clientId: string; clientSecret: string },
  scope: string,
): Promise<string> {
  const answer = await apiCall(
    baseUrl,
    ca,
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
