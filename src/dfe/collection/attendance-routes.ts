/**
 * The attendance API of the 2020 contract, over OAuth 2.0 bearer tokens:
 *
 *   POST   /attendances        a submission → 201 {submissionRef, errors} or a refusal (error object)
 *   GET    /submissions/{ref}  a stored submission's outcome
 *   GET    /codes/attendance   the attendance codes (`?date=` those valid on a date)
 *   GET    /codes/ncyeargroup  the pupil NC year groups
 *   GET    /provider/{urn}     a school of the schools register
 *   PUT    /consents/{urn}     the supplier records a school's consent (who, when); GET reads it
 *   DELETE /consents/{urn}     … and its removal
 *
 * Bodies are read raw, so that a wrong content type, an empty body or bad JSON gets the contract's
 * error object rather than the framework's. Every refusal is an error object
 * `{id, code, status, title, detail}` from `attendance-errors.ts`; bearer-token failures are
 * RFC 6750's.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Type } from 'typebox';
import {
  BEARER_SECURITY,
  BearerError,
  ErrorObject,
  documentationOnly,
} from '../../contracts/attendance/api-schemas.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/database.ts';
import { isCalendarDate } from '../../platform/calendar.ts';
import {
  accessClaims,
  clientCutOff,
  requireScope,
  requireScopeClientCheckedByRoute,
  tokenGeneration,
  type BearerCheck,
} from '../oauth/token-routes.ts';
import { tokenClientActive } from '../oauth/clients.ts';
import { LA_READ_SCOPE } from '../oauth/scopes.ts';
import { attendanceCodes, attendanceCodesValidOn } from '../../contracts/attendance/attendance-codes.ts';
import { pupilYearGroups } from '../../contracts/attendance/nc-year-groups.ts';
import { schoolByUrn } from '../schools/school-store.ts';
import { providerView } from '../schools/school.ts';
import { consentView, parsePersonName, readConsentGiven } from '../consent/consent.ts';
import { consentOfSchool, requestConsent, withdrawConsent } from '../consent/consent-store.ts';
import { maySubmit, noConsentDetail } from '../consent/supplier-change.ts';
import {
  envelopeError,
  internalError,
  type EnvelopeError,
  type EnvelopeErrorCode,
} from '../../contracts/attendance/attendance-errors.ts';
import { useJsonApiSecurityHeaders } from '../../platform/http/server.ts';
import { declaresBody } from '../../platform/http/unread-body.ts';
import { readCleanSubmission } from './clean-submission.ts';
import { SubmissionBody } from '../../contracts/attendance/submission-body.ts';
import { bodyIsJson, contentTypeIsJson, readSubmissionBody } from './request-body.ts';
import { MAX_LISTED_ERRORS, parseUrn, validateSubmission } from '../../contracts/attendance/submission.ts';
import {
  acceptCleanSubmission,
  acceptSubmission,
  recordRefusal,
  storeSubmission,
  submissionByIdempotencyKey,
  submissionByRef,
  submissionParties,
  type AcceptedSubmission,
  type StoredSubmission,
} from './submission-store.ts';

/** Far above a large school's 9 days (~0.5 MB), far below what would hurt the server. */
export const MAX_SUBMISSION_BYTES = 4 * 1024 * 1024;
const IDEMPOTENCY_KEY = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SUBMIT = 'attendance.submit';
const READ = 'attendance.read';

export interface AttendanceRouteOptions {
  db: Database;
  bearer: BearerCheck;
  now: () => Date;
}

// --- OpenAPI documentation of the contract (the handlers read bodies themselves) ----------------

const RecordErrorObject = Type.Object({
  id: Type.String({ examples: ['FAILURE_INVALID_ATTENDANCE_CODE'] }),
  code: Type.String({ examples: ['VAL104'] }),
  status: Type.Literal(''),
  title: Type.String(),
  detail: Type.String({ description: 'The bad value as sent' }),
  path: Type.String({ examples: ['$.submissionData[0].attendances[10].attendanceCode'] }),
});
const ErrorsNotListed = Type.Optional(
  Type.Integer({
    minimum: 1,
    description: `(edgate) Only when errors lists the first ${MAX_LISTED_ERRORS}: how many more there were`,
  }),
);
const SubmissionAnswer = Type.Object({
  submissionRef: Type.String({ format: 'uuid' }),
  errors: Type.Array(RecordErrorObject, {
    description: `Every bad item in document order, the first ${MAX_LISTED_ERRORS} of them; [] when all is well`,
    maxItems: MAX_LISTED_ERRORS,
  }),
  errorsNotListed: ErrorsNotListed,
});
const SubmissionOutcome = Type.Object({
  submissionRef: Type.String({ format: 'uuid' }),
  urn: Type.Integer(),
  receivedAt: Type.String({ format: 'date-time' }),
  outcome: Type.Union([Type.Literal('accepted'), Type.Literal('accepted with errors')]),
  entriesReceived: Type.Integer(),
  entriesStored: Type.Integer(),
  errors: Type.Array(RecordErrorObject, { maxItems: MAX_LISTED_ERRORS }),
  errorsNotListed: ErrorsNotListed,
});
const ConsentBody = Type.Object({
  givenBy: Type.String({ description: 'Who gave consent: the MIS user with "Data Returns: Administer"' }),
  givenAt: Type.String({ format: 'date-time' }),
});
const ConsentAnswer = Type.Object({
  urn: Type.Integer(),
  givenBy: Type.String(),
  givenAt: Type.String({ format: 'date-time' }),
  recordedAt: Type.String({ format: 'date-time' }),
  active: Type.Boolean(),
  withdrawnAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  withdrawnBy: Type.Union([Type.String(), Type.Null()]),
});
const UrnParams = Type.Object({ urn: Type.String() });
const security = BEARER_SECURITY;

// --- Answers -------------------------------------------------------------------------------------

function outcomeOf(submission: StoredSubmission) {
  return {
    submissionRef: submission.ref,
    urn: submission.urn,
    receivedAt: submission.receivedAt.toISOString(),
    outcome: submission.errorCount === 0 ? 'accepted' : 'accepted with errors',
    entriesReceived: submission.entriesReceived,
    entriesStored: submission.entriesStored,
    errors: submission.response.errors,
    ...(submission.response.errorsNotListed === undefined
      ? {}
      : { errorsNotListed: submission.response.errorsNotListed }),
  };
}

function rawBody(request: FastifyRequest): Buffer | undefined {
  return Buffer.isBuffer(request.body) ? request.body : undefined;
}

function clientIdOf(request: FastifyRequest): string {
  const claims = accessClaims(request);
  if (!claims) throw new Error('route reached without a verified token');
  return claims.client_id;
}

export async function attendanceRoutes(app: FastifyInstance, options: AttendanceRouteOptions): Promise<void> {
  const { db, now } = options;

  useJsonApiSecurityHeaders(app);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: MAX_SUBMISSION_BYTES },
    (_request, body, done) => done(null, body),
  );
  // VAL119 by the contract's own rule, before the body is read: a wrong type is refused at once,
  // not after 4 MB. The bearer token is checked before this (each route's onRequest), so no body
  // is read for a client without one either.
  app.addHook('preParsing', async (request, _reply, payload) => {
    const takesBody = request.method !== 'GET' && request.method !== 'HEAD';
    if (takesBody && declaresBody(request.headers) && contentTypeIsJson(request.headers['content-type']))
      throw Object.assign(new Error('Incorrect content type'), { statusCode: 415 });
    return payload;
  });
  app.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error.statusCode === 415) return refuse(request, reply, envelopeError('VAL119'));
    if (error.statusCode === 413) return reply.code(413).send(envelopeError('VAL126'));
    if (error.statusCode === 400 && error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
      return reply.code(400).send(envelopeError('VAL118'));
    request.log.error({ err: error }, 'attendance request failed');
    return reply.code(500).send(internalError(request.id));
  });

  const refuse = (
    request: FastifyRequest,
    reply: FastifyReply,
    error: EnvelopeError,
    urn?: number,
  ): FastifyReply => {
    const claims = accessClaims(request);
    if (claims && request.routeOptions.url === '/attendances') {
      // For the suppliers monitor; after the answer, and never at the answer's expense.
      const refusal = {
        clientId: claims.client_id,
        receivedAt: now(),
        urn,
        status: Number(error.status),
        code: error.code,
      };
      reply.raw.once('finish', () => {
        recordRefusal(db, refusal).catch((err: unknown) =>
          request.log.error({ err }, 'refusal not recorded'),
        );
      });
    }
    return reply.code(Number(error.status)).send(error);
  };
  const refuseWith = (
    request: FastifyRequest,
    reply: FastifyReply,
    code: EnvelopeErrorCode,
    detail?: string,
  ) => refuse(request, reply, envelopeError(code, detail));

  const replay = (
    reply: FastifyReply,
    original: StoredSubmission,
    bodySha256: Buffer,
    request: FastifyRequest,
  ) => {
    if (!original.bodySha256.equals(bodySha256)) return refuseWith(request, reply, 'VAL122');
    return reply
      .code(201)
      .header('Idempotent-Replayed', 'true')
      .header('Location', `/submissions/${original.ref}`)
      .send(original.response);
  };

  const anyScope = requireScope(options.bearer, SUBMIT, READ, LA_READ_SCOPE);

  app.post(
    '/attendances',
    {
      helmet: false,
      config: { csrf: false },
      // The client's state is checked by the storing statement, in its one round trip; the rare
      // answers that store nothing check it first (refuseChecked).
      onRequest: requireScopeClientCheckedByRoute(options.bearer, SUBMIT),
      validatorCompiler: documentationOnly,
      schema: {
        tags: ['attendance'],
        summary: 'Submit a school’s aggregated attendance',
        description:
          'Envelope problems refuse the whole request (400/403/413/415/422, an error object, nothing stored). ' +
          'Record problems are reported with the 201 answer; entries with no problem are stored. ' +
          'Send `Idempotency-Key` to make a retry safe: the same key and body returns the original answer.',
        security,
        headers: Type.Object({
          'idempotency-key': Type.Optional(Type.String({ maxLength: 255 })),
          'api-client-app-id': Type.Optional(Type.String()),
          'api-client-session-id': Type.Optional(Type.String()),
        }),
        body: SubmissionBody,
        response: {
          201: SubmissionAnswer,
          400: ErrorObject,
          401: BearerError,
          403: Type.Union([ErrorObject, BearerError]),
          413: ErrorObject,
          415: ErrorObject,
          422: ErrorObject,
        },
      },
    },
    async (request, reply) => {
      const receivedAt = now();
      const clientId = clientIdOf(request);
      const generation = tokenGeneration(accessClaims(request)!);
      const raw = rawBody(request) ?? Buffer.alloc(0);
      // An answer that stores nothing checks the client first: a client cut off learns nothing more.
      const clientActive = () => tokenClientActive(db, clientId, generation);
      const refuseChecked = async (error: EnvelopeError, urn?: number) =>
        (await clientActive()) ? refuse(request, reply, error, urn) : clientCutOff(reply);

      const keyHeader = request.headers['idempotency-key'];
      const idempotencyKey = typeof keyHeader === 'string' ? keyHeader : undefined;
      if (keyHeader !== undefined && (idempotencyKey === undefined || !IDEMPOTENCY_KEY.test(idempotencyKey)))
        return refuseChecked(envelopeError('VAL127'));
      if (idempotencyKey !== undefined) {
        const original = await submissionByIdempotencyKey(db, clientId, idempotencyKey);
        if (original) {
          if (!(await clientActive())) return clientCutOff(reply);
          return replay(reply, original, createHash('sha256').update(raw).digest(), request);
        }
      }

      const wrongType = contentTypeIsJson(request.headers['content-type']);
      if (wrongType) return refuseChecked(wrongType);
      const header = (name: string) => {
        const value = request.headers[name];
        return typeof value === 'string' ? value.slice(0, 200) : undefined;
      };
      const receipt = {
        raw,
        clientId,
        tokenGeneration: generation,
        receivedAt,
        idempotencyKey,
        clientAppId: header('api-client-app-id'),
        clientSessionId: header('api-client-session-id'),
      };
      // Why a submission of a well-formed URN cannot be stored: the rare path, asked only then.
      const refusal = async (urn: number): Promise<FastifyReply | undefined> => {
        const parties = await submissionParties(db, clientId, urn, generation);
        if (!parties.client) return clientCutOff(reply);
        if (!parties.school) return refuse(request, reply, envelopeError('VAL102'), urn);
        const submitter = { clientId, requiresConsent: parties.client.requiresConsent };
        if (!maySubmit(submitter, parties.currentSupplier))
          return refuse(
            request,
            reply,
            envelopeError('VAL121', noConsentDetail(submitter, parties.currentSupplier)),
            urn,
          );
        return undefined;
      };

      // The usual body, with nothing wrong in it, is read straight from its bytes; anything else
      // goes the general way, which gives the same reading and answers every problem.
      const ref = randomUUID();
      const clean = readCleanSubmission(raw, { receivedAt, urnExists: () => true }, ref);
      let accepted: AcceptedSubmission;
      if (clean) accepted = acceptCleanSubmission(receipt, ref, clean);
      else {
        const read = bodyIsJson(raw);
        if (!read.ok) return refuseChecked(read.error);
        const document = read.body;
        const urn =
          typeof document === 'object' && document !== null && 'urn' in document
            ? parseUrn(document.urn)
            : undefined;
        // The school is checked by the storing statement itself; an envelope error after VAL101
        // must still yield to "URN not found", which the contract checks first.
        const validation = validateSubmission(document, { receivedAt, urnExists: () => true });
        if (validation.kind === 'envelope-error') {
          if (urn !== undefined) {
            const refused = await refusal(urn);
            if (refused) return refused;
          }
          return refuseChecked(validation.error, urn);
        }
        accepted = acceptSubmission(receipt, validation, ref);
      }
      const stored = await storeSubmission(db, accepted);
      if (!stored.stored && stored.reason === 'not-permitted') {
        const refused = await refusal(accepted.urn);
        if (refused) return refused;
        throw new Error('a submission was not stored, and nothing says why');
      }
      if (!stored.stored) {
        // Another request with the same key committed first.
        const original = idempotencyKey && (await submissionByIdempotencyKey(db, clientId, idempotencyKey));
        if (!original) throw new Error('idempotency key taken but no submission holds it');
        return replay(reply, original, accepted.bodySha256, request);
      }
      return reply.code(201).header('Location', `/submissions/${accepted.ref}`).send(accepted.response);
    },
  );

  app.get<{ Params: { ref: string } }>(
    '/submissions/:ref',
    {
      helmet: false,
      onRequest: requireScope(options.bearer, SUBMIT, READ),
      validatorCompiler: documentationOnly,
      schema: {
        tags: ['attendance'],
        summary: 'The outcome of a stored submission (the client’s own, or any with attendance.read)',
        security,
        params: Type.Object({ ref: Type.String({ format: 'uuid' }) }),
        response: { 200: SubmissionOutcome, 404: ErrorObject },
      },
    },
    async (request, reply) => {
      const claims = accessClaims(request);
      const ref = request.params.ref;
      const submission = UUID.test(ref) ? await submissionByRef(db, ref) : undefined;
      const mayRead =
        submission !== undefined &&
        (submission.clientId === claims?.client_id || (claims?.scope.split(' ') ?? []).includes(READ));
      if (!submission || !mayRead) return refuseWith(request, reply, 'VAL125');
      return reply.send(outcomeOf(submission));
    },
  );

  app.get<{ Querystring: { date?: string } }>(
    '/codes/attendance',
    {
      helmet: false,
      onRequest: anyScope,
      validatorCompiler: documentationOnly,
      schema: {
        tags: ['attendance'],
        summary: 'Attendance codes, with how each counts; with ?date= only those valid on that date',
        security,
        querystring: Type.Object({ date: Type.Optional(Type.String({ format: 'date' })) }),
      },
    },
    async (request, reply) => {
      const date = request.query.date;
      if (date !== undefined && !isCalendarDate(date)) return refuseWith(request, reply, 'VAL128');
      const codes = date === undefined ? attendanceCodes() : attendanceCodesValidOn(date);
      return reply.send(
        codes.map((code) => ({
          code: code.code,
          description: code.meaning,
          category: code.category,
          countsAsPossibleSession: code.countsAsPossibleSession,
          countsAsAttendance: code.countsAsAttendance,
          validFrom: code.validFrom ?? null,
          validTo: code.validTo ?? null,
        })),
      );
    },
  );

  app.get(
    '/codes/ncyeargroup',
    {
      helmet: false,
      onRequest: anyScope,
      schema: { tags: ['attendance'], summary: 'The NC year groups a pupil can be in', security },
    },
    async (_request, reply) => reply.send(pupilYearGroups().map((group) => ({ ...group }))),
  );

  app.get<{ Params: { urn: string } }>(
    '/provider/:urn',
    {
      helmet: false,
      onRequest: anyScope,
      validatorCompiler: documentationOnly,
      schema: {
        tags: ['attendance'],
        summary: 'A school of the schools register',
        security,
        params: UrnParams,
        response: {
          200: Type.Object({
            urn: Type.Integer(),
            name: Type.String(),
            address: Type.String(),
            phaseOfEducation: Type.String(),
            schoolType: Type.String(),
          }),
          400: ErrorObject,
        },
      },
    },
    async (request, reply) => {
      const urn = parseUrn(request.params.urn);
      if (urn === undefined) return refuseWith(request, reply, 'VAL101');
      const school = await schoolByUrn(db, urn);
      if (!school) return refuseWith(request, reply, 'VAL102');
      return reply.send(providerView(school));
    },
  );

  /** The URN of a consent route, or a refusal already sent. */
  const consentUrn = async (request: FastifyRequest<{ Params: { urn: string } }>, reply: FastifyReply) => {
    const urn = parseUrn(request.params.urn);
    if (urn === undefined) {
      refuseWith(request, reply, 'VAL101');
      return undefined;
    }
    if (!(await schoolByUrn(db, urn))) {
      refuseWith(request, reply, 'VAL102');
      return undefined;
    }
    return urn;
  };
  const consentSchema = (summary: string, extra: Record<string, unknown> = {}) => ({
    tags: ['attendance'],
    summary,
    security,
    params: UrnParams,
    ...extra,
  });

  app.put<{ Params: { urn: string } }>(
    '/consents/:urn',
    {
      helmet: false,
      config: { csrf: false },
      onRequest: requireScope(options.bearer, SUBMIT),
      validatorCompiler: documentationOnly,
      schema: consentSchema('Record that the school consented to this supplier sending its attendance', {
        body: ConsentBody,
        response: { 200: ConsentAnswer, 400: ErrorObject, 409: ErrorObject },
      }),
    },
    async (request, reply) => {
      const urn = await consentUrn(request, reply);
      if (urn === undefined) return reply;
      const read = readSubmissionBody(request.headers['content-type'], rawBody(request));
      if (!read.ok) return refuse(request, reply, read.error);
      const given = readConsentGiven(read.body, now());
      if (!given.ok) return refuseWith(request, reply, 'VAL123', given.detail);
      const outcome = await requestConsent(
        db,
        { clientId: clientIdOf(request), urn, recordedBy: 'supplier', now: now() },
        given.consent,
      );
      // Another supplier serves the school: no takeover; the DfE confirms a change of supplier.
      if (outcome.kind === 'pending-change') return refuseWith(request, reply, 'VAL132');
      return reply.send(consentView(outcome.consent));
    },
  );

  app.get<{ Params: { urn: string } }>(
    '/consents/:urn',
    {
      helmet: false,
      onRequest: requireScope(options.bearer, SUBMIT),
      validatorCompiler: documentationOnly,
      schema: consentSchema('This supplier’s consent from the school', {
        response: { 200: ConsentAnswer, 404: ErrorObject },
      }),
    },
    async (request, reply) => {
      const urn = await consentUrn(request, reply);
      if (urn === undefined) return reply;
      const consent = await consentOfSchool(db, clientIdOf(request), urn);
      if (!consent) return refuseWith(request, reply, 'VAL124');
      return reply.send(consentView(consent));
    },
  );

  app.delete<{ Params: { urn: string } }>(
    '/consents/:urn',
    {
      helmet: false,
      config: { csrf: false },
      onRequest: requireScope(options.bearer, SUBMIT),
      validatorCompiler: documentationOnly,
      schema: consentSchema('Record that the school removed its consent; nothing more is accepted', {
        body: Type.Optional(Type.Object({ withdrawnBy: Type.Optional(Type.String()) })),
        response: { 404: ErrorObject },
      }),
    },
    async (request, reply) => {
      const urn = await consentUrn(request, reply);
      if (urn === undefined) return reply;
      let withdrawnBy = 'supplier';
      const raw = rawBody(request);
      if (raw !== undefined && raw.length > 0) {
        const read = bodyIsJson(raw);
        if (!read.ok) return refuse(request, reply, read.error);
        const body = read.body;
        const named =
          typeof body === 'object' && body !== null && 'withdrawnBy' in body ? body.withdrawnBy : undefined;
        if (named !== undefined) {
          const person = parsePersonName(named);
          if (person === undefined)
            return refuseWith(request, reply, 'VAL123', 'withdrawnBy must name a person');
          withdrawnBy = person;
        }
      }
      const withdrawn = await withdrawConsent(
        db,
        { clientId: clientIdOf(request), urn, recordedBy: 'supplier', now: now() },
        withdrawnBy,
      );
      if (!withdrawn) return refuseWith(request, reply, 'VAL124');
      return reply.code(204).send();
    },
  );
}
