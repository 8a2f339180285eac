/**
 * Reads the gateway's answer to GetLocalAuthorityChildcareRegister: the Status (Code and
 * Description) and RegisterData (the extract as escaped text or CDATA), or a SOAP fault. The
 * envelope is untrusted like the document inside it: streamed with saxes, no DOCTYPE, a depth
 * limit, and only the few elements needed are kept.
 */
import { SaxesParser } from 'saxes';
import { nestsDeeperThan } from './nesting-depth.ts';
import { ISPP_NS, SOAP12_NS } from './soap-request.ts';

export const MAX_ENVELOPE_DEPTH = 32;

export type RegisterResponse =
  | { kind: 'result'; statusCode: string; description?: string; registerData?: string }
  | { kind: 'fault'; code: string; reason: string };

export class ResponseError extends Error {}

export function readRegisterResponse(body: Buffer): RegisterResponse {
  const parser = new SaxesParser({ xmlns: true });
  const path: string[] = [];
  let statusCode: string | undefined;
  let description: string | undefined;
  let registerData: string[] | undefined;
  let faultCodes: string[] = [];
  let faultReason: string | undefined;
  let text = '';
  let sawResult = false;
  let sawFault = false;

  parser.on('doctype', () => {
    throw new ResponseError('The gateway’s response has a DOCTYPE, which is not allowed.');
  });
  parser.on('opentag', (tag) => {
    if (path.length >= MAX_ENVELOPE_DEPTH)
      throw new ResponseError('The gateway’s response is nested too deeply.');
    path.push(`${tag.uri === ISPP_NS ? 'i' : tag.uri === SOAP12_NS ? 's' : '?'}:${tag.local}`);
    const here = path.join('/');
    text = '';
    if (
      here ===
      's:Envelope/s:Body/i:GetLocalAuthorityChildcareRegisterResponse/i:GetLocalAuthorityChildcareRegisterResult'
    )
      sawResult = true;
    if (here === RESULT + '/i:RegisterData') registerData = [];
    if (here === 's:Envelope/s:Body/s:Fault') sawFault = true;
  });
  const onText = (t: string) => {
    const here = path.join('/');
    if (here === RESULT + '/i:RegisterData') registerData!.push(t);
    else if (text.length < 2000) text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const here = path.join('/');
    if (here === RESULT + '/i:Status/i:Code') statusCode = text.trim();
    else if (here === RESULT + '/i:Status/i:Description') description = text.trim();
    else if (here.startsWith('s:Envelope/s:Body/s:Fault/s:Code') && here.endsWith('s:Value'))
      faultCodes.push(text.trim());
    else if (here === 's:Envelope/s:Body/s:Fault/s:Reason/s:Text' && faultReason === undefined)
      faultReason = text.trim();
    text = '';
    path.pop();
  });
  if (nestsDeeperThan(body, MAX_ENVELOPE_DEPTH))
    throw new ResponseError('The gateway’s response is nested too deeply.');
  try {
    parser.write(body.toString('utf8')).close();
  } catch (error) {
    if (error instanceof ResponseError) throw error;
    throw new ResponseError(`The gateway’s response is not well-formed XML (${(error as Error).message}).`);
  }
  if (sawFault) {
    faultCodes = faultCodes.map((c) => c.replace(/^[^:]*:/, ''));
    return { kind: 'fault', code: faultCodes.join('/'), reason: faultReason ?? 'no reason given' };
  }
  if (!sawResult || statusCode === undefined)
    throw new ResponseError('The gateway’s response is not a GetLocalAuthorityChildcareRegister result.');
  return {
    kind: 'result',
    statusCode,
    ...(description ? { description } : {}),
    ...(registerData ? { registerData: registerData.join('') } : {}),
  };
}

const RESULT =
  's:Envelope/s:Body/i:GetLocalAuthorityChildcareRegisterResponse/i:GetLocalAuthorityChildcareRegisterResult';
