/**
 * A gateway request's outcome in plain words, for the audit page. The audit keeps the exact code
 * (`refused:unknown-api-key`, `LocalAuthorityAccessInvalid`) for support and for machines; a
 * person reads what happened.
 */

const REFUSALS: Record<string, string> = {
  'missing-api-key': 'no API key was sent',
  'missing-service-key': 'no service key was sent',
  'unknown-api-key': 'the API key is not one edgate issued',
  'rate-limit': 'too many requests',
  'unknown-operation': 'an operation the gateway does not offer',
  action: 'the SOAP action did not match the operation',
  'must-understand': 'a header the gateway does not understand was marked as required',
  doctype: 'the message contained a document type declaration',
  entity: 'the message contained an entity declaration',
  'duplicate-header': 'a header was sent twice',
  'invalid-envelope': 'the message was not a valid SOAP envelope',
  malformed: 'the message was not well-formed XML',
  'not-soap': 'the message was not SOAP',
  'too-deep': 'the message was nested too deeply',
  'too-large': 'the message was too large',
  'too-many-elements': 'the message had too many elements',
  'version-mismatch': 'the wrong SOAP version',
  FailedAuthentication: 'the username or password was wrong',
  InvalidSecurity: 'the security header was not valid',
  MessageExpired: 'the message had expired (check the client’s clock)',
  InvalidSecurityToken: 'the security token was not valid',
  FailedCheck: 'the signature did not check out',
};

const HTTP_REFUSALS: Record<string, string> = {
  '400': 'the request was not valid',
  '401': 'not signed in',
  '403': 'not allowed',
  '404': 'no such address',
  '405': 'the wrong HTTP method',
  '406': 'a format the gateway does not send',
  '413': 'the request was too large',
  '415': 'the wrong content type',
  '429': 'too many requests',
};

const OUTCOMES: Record<string, string> = {
  Success: 'Collected',
  Available: 'Service status asked: available',
  ServiceMaintenanceOutage: 'Refused: planned maintenance',
  ServiceUnavailablePeriod: 'Refused: outside the hours the service is offered',
  AuthenticationFailed: 'Refused: the username or password was wrong',
  InvalidLocalAuthorityCode: 'Refused: not a local authority code',
  LocalAuthorityAccessInvalid: 'Refused: not authorised for this local authority',
  TooManyRequests: 'Refused: too many requests',
  BadRequest: 'Refused: the request was not valid',
  GeneralSystemFailure: 'Failed: a fault in edgate',
  'client-disconnected': 'The client disconnected before the answer was sent',
};

/** "LocalAuthorityAccessInvalid" → "local authority access invalid"; "rate-limit" → "rate limit". */
const words = (code: string): string =>
  code
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[-_:]+/g, ' ')
    .toLowerCase()
    .trim();

export function outcomeInWords(outcome: string): string {
  const known = OUTCOMES[outcome];
  if (known !== undefined) return known;
  if (outcome.startsWith('refused:')) {
    const why = outcome.slice('refused:'.length);
    const http = /^http-(\d{3})$/.exec(why);
    if (http) return `Refused: ${HTTP_REFUSALS[http[1]!] ?? `the gateway answered HTTP ${http[1]!}`}`;
    return `Refused: ${REFUSALS[why] ?? words(why)}`;
  }
  const sentence = words(outcome);
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}
