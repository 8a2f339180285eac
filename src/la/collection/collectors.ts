/**
 * One try at fetching an LA's extract from a source, over the transport it is given: SOAP (the
 * ISPP gateway) or FID JSON. Each answer becomes one of a few plain outcomes; whether another
 * try is worth it is decided here, from what the gateway said (999 and transport errors: yes;
 * LocalAuthorityAccessInvalid: never).
 */
import type { ClientCertificate } from './client-certificate.ts';
import { buildRegisterRequest, ACTION_GET_REGISTER } from './soap-request.ts';
import { readRegisterResponse, ResponseError } from './soap-response.ts';
import { fidJsonToExtractXml, FidJsonError } from './fid-json.ts';
import { TooLargeError, TransportError, type Transport } from './transport.ts';
import { MAX_DOCUMENT_BYTES } from './extract-document.ts';
import type { SignatureAlgorithm, SourceKind } from '../tables.ts';

/** A source with its secrets opened, ready to collect. */
export interface CollectingSource {
  id: number;
  name: string;
  kind: SourceKind;
  endpointUrl: string | null;
  username: string | null;
  password: string | null;
  fidApiKey: string | null;
  fidServiceKey: string | null;
  certificate?: ClientCertificate;
  signatureAlgorithm: SignatureAlgorithm;
}

export type FetchResult =
  | { kind: 'document'; bytes: Buffer; gatewayStatus: string | null; httpStatus: number }
  | {
      kind: 'gateway-refused' | 'transport-error' | 'invalid-document';
      gatewayStatus: string | null;
      httpStatus: number | null;
      error: string;
      retry: boolean;
    };

/** The gateway's Status.Code, by name or by number as the WSDL documents both. */
const STATUS_MEANING: Record<string, { words: string; retry: boolean }> = {
  LocalAuthorityAccessInvalid: {
    words: 'The gateway refused access to this local authority’s extract (LocalAuthorityAccessInvalid)',
    retry: false,
  },
  ServiceMaintenanceOutage: { words: 'The gateway is down for maintenance (997)', retry: false },
  '997': { words: 'The gateway is down for maintenance (997)', retry: false },
  ServiceUnavailablePeriod: {
    words: 'The gateway does not serve extracts at this time of day (998)',
    retry: false,
  },
  '998': { words: 'The gateway does not serve extracts at this time of day (998)', retry: false },
  GeneralSystemFailure: { words: 'The gateway failed (999, general system failure)', retry: true },
  '999': { words: 'The gateway failed (999, general system failure)', retry: true },
};

function statusRefusal(
  code: string,
  description: string | undefined,
  httpStatus: number | null,
): FetchResult {
  const meaning = STATUS_MEANING[code] ?? { words: `The gateway answered status ${code}`, retry: false };
  return {
    kind: 'gateway-refused',
    gatewayStatus: code,
    httpStatus,
    error: `${meaning.words}${description ? `: ${description}` : ''}.`,
    retry: meaning.retry,
  };
}

function transportFailure(error: unknown, httpStatus: number | null = null): FetchResult {
  if (error instanceof TooLargeError) {
    return { kind: 'invalid-document', gatewayStatus: null, httpStatus, error: error.message, retry: false };
  }
  if (error instanceof TransportError) {
    return { kind: 'transport-error', gatewayStatus: null, httpStatus, error: error.message, retry: true };
  }
  throw error;
}

/** Room for the envelope around the largest document (escaped text grows it by a fifth or so). */
const MAX_ENVELOPE_BYTES = MAX_DOCUMENT_BYTES * 1.5;

export async function fetchOverSoap(
  source: CollectingSource,
  laCode: string,
  transport: Transport,
  now: Date,
): Promise<FetchResult> {
  if (!source.endpointUrl || source.username === null || source.password === null) {
    return refusedByConfiguration('This SOAP source has no endpoint, username or password.');
  }
  let response;
  try {
    response = await transport({
      url: source.endpointUrl,
      method: 'POST',
      headers: { 'content-type': `application/soap+xml; charset=utf-8; action="${ACTION_GET_REGISTER}"` },
      body: buildRegisterRequest({
        endpointUrl: source.endpointUrl,
        laCode,
        username: source.username,
        password: source.password,
        ...(source.certificate ? { certificate: source.certificate } : {}),
        algorithm: source.signatureAlgorithm,
        now,
      }),
      maxBytes: MAX_ENVELOPE_BYTES,
    });
  } catch (error) {
    return transportFailure(error);
  }
  const httpStatus = response.status;
  if (!/xml/i.test(response.contentType)) {
    return {
      kind: 'transport-error',
      gatewayStatus: null,
      httpStatus,
      error: `The gateway answered HTTP ${httpStatus} without a SOAP envelope.`,
      retry: httpStatus >= 500,
    };
  }
  let answer;
  try {
    answer = readRegisterResponse(response.body);
  } catch (error) {
    if (!(error instanceof ResponseError)) throw error;
    return { kind: 'invalid-document', gatewayStatus: null, httpStatus, error: error.message, retry: false };
  }
  if (answer.kind === 'fault') {
    return {
      kind: 'gateway-refused',
      gatewayStatus: answer.code || 'Fault',
      httpStatus,
      error: `The gateway refused the request: ${answer.reason}.`,
      retry: false,
    };
  }
  if (answer.statusCode !== 'Success')
    return statusRefusal(answer.statusCode, answer.description, httpStatus);
  if (answer.registerData === undefined || answer.registerData.length === 0) {
    return {
      kind: 'invalid-document',
      gatewayStatus: 'Success',
      httpStatus,
      error: 'The gateway answered Success without any RegisterData.',
      retry: false,
    };
  }
  return {
    kind: 'document',
    bytes: answer.registerData,
    gatewayStatus: 'Success',
    httpStatus,
  };
}

export async function fetchOverFid(
  source: CollectingSource,
  laCode: string,
  transport: Transport,
): Promise<FetchResult> {
  if (!source.endpointUrl || source.fidApiKey === null) {
    return refusedByConfiguration('This FID source has no endpoint or API key.');
  }
  let response;
  try {
    response = await transport({
      url: source.endpointUrl,
      method: 'GET',
      headers: {
        accept: 'application/json',
        APIKEY: source.fidApiKey,
        'service-key': source.fidServiceKey ?? '',
        LACode: laCode,
      },
      maxBytes: MAX_ENVELOPE_BYTES,
    });
  } catch (error) {
    return transportFailure(error);
  }
  const httpStatus = response.status;
  if (httpStatus !== 200) {
    let code: string | undefined;
    let message: string | undefined;
    try {
      const parsed = JSON.parse(response.body.toString('utf8')) as { code?: unknown; message?: unknown };
      if (typeof parsed.code === 'string') code = parsed.code.slice(0, 100);
      if (typeof parsed.message === 'string') message = parsed.message.slice(0, 500);
    } catch {
      // Not the service's JSON error: say what HTTP said.
    }
    if (code && code in STATUS_MEANING) return statusRefusal(code, message, httpStatus);
    if (httpStatus >= 500 || httpStatus === 429) {
      return {
        kind: 'transport-error',
        gatewayStatus: code ?? null,
        httpStatus,
        error: `The FID service answered HTTP ${httpStatus}${message ? `: ${message}` : ''}.`,
        retry: true,
      };
    }
    return {
      kind: 'gateway-refused',
      gatewayStatus: code ?? null,
      httpStatus,
      error: `The FID service refused the request (HTTP ${httpStatus})${message ? `: ${message}` : ''}.`,
      retry: false,
    };
  }
  try {
    return { kind: 'document', bytes: fidJsonToExtractXml(response.body), gatewayStatus: null, httpStatus };
  } catch (error) {
    if (!(error instanceof FidJsonError)) throw error;
    return { kind: 'invalid-document', gatewayStatus: null, httpStatus, error: error.message, retry: false };
  }
}

function refusedByConfiguration(error: string): FetchResult {
  return { kind: 'gateway-refused', gatewayStatus: null, httpStatus: null, error, retry: false };
}
