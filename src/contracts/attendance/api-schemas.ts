/**
 * OpenAPI pieces shared by the attendance API's route files: the error objects it answers with,
 * the bearer security, and the validator used where handlers read bodies and parameters themselves
 * (so that their answers are the contract's, not the framework's).
 */
import { Type } from 'typebox';

/** A refused request: `{id, code, status, title, detail}`; nothing was stored. */
export const ErrorObject = Type.Object(
  {
    id: Type.String({ examples: ['ERROR_INVALID_URN'] }),
    code: Type.String({ examples: ['VAL101'] }),
    status: Type.String({ examples: ['400'] }),
    title: Type.String(),
    detail: Type.String(),
  },
  { description: 'A refused request: nothing was stored.' },
);

export const BearerError = Type.Object(
  { error: Type.String(), error_description: Type.Optional(Type.String()) },
  { description: 'RFC 6750: no, a bad or an expired token (401), or a token without the scope (403)' },
);

export const BEARER_SECURITY = [{ bearer: [] }];

/** The schema documents; the handler checks. */
export const documentationOnly = () => () => true;
