/**
 * One ISPP gateway request, from the raw SOAP text to the reply: parse (hardened), check the
 * WS-Addressing action, verify WS-Security, decide who may collect what, and answer — the
 * stored extract streamed into RegisterData, a Status, or a fault. Every request is audited,
 * refused ones included; nothing else is written.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../platform/db/database.ts';
import type { SecretBox } from '../../platform/auth/secret-box.ts';
import { londonDateOf } from '../../platform/calendar.ts';
import { extractSummary, readyExtract } from '../extract/extract-store.ts';
import { RegisterDataCache } from './register-data-cache.ts';
import { gzipMember } from './register-data-gzip.ts';
import {
  decideCollection,
  inMaintenanceWindow,
  type GatewayAccount,
  type MaintenanceWindow,
} from './collection-rules.ts';
import {
  authorisationsOf,
  credentialsOf,
  recordAudit,
  rememberNonce,
  type AuditEntry,
  type GatewayCredentials,
} from './gateway-store.ts';
import {
  EnvelopeError,
  ISPP_NS,
  notUnderstoodHeaders,
  parseSoapEnvelope,
  WSA_NS,
  WSSE_NS,
  type ParsedEnvelope,
} from './soap-envelope.ts';
import {
  ACTIONS,
  faultResponse,
  registerDataEnvelope,
  registerStatusResponse,
  serviceStatusResponse,
  slices,
  wsseFault,
  type Fault,
  type Operation,
} from './soap-response.ts';
import { verifySecurityHeader } from './ws-security.ts';

export interface GatewayOptions {
  db: Database;
  box: SecretBox;
  now: () => Date;
  /** The endpoint's public address: the signed wsa:To must name it. */
  endpointUrl: string;
  maintenance?: MaintenanceWindow;
  /** Requests one account may make per minute (per instance). */
  requestsPerMinute: number;
  /** Memory for extracts kept ready to send (RegisterDataCache). */
  cacheBytes?: number;
  log: FastifyBaseLogger;
}

export interface RequestMeta {
  requestId: string;
  clientAddress: string;
}

export interface GatewayReply {
  httpStatus: number;
  body: string | Buffer[];
  /** The same body as one gzip member made from cached parts, for a client that accepts gzip. */
  gzipped?: () => Promise<Buffer[]>;
  /** Filled in when the body has been sent (bytes and duration), then written. */
  audit: Omit<AuditEntry, 'bytes' | 'durationMs'>;
}

// Headers this endpoint processes; a mustUnderstand header outside this set gets a fault.
const UNDERSTOOD = new Set([
  `{${WSA_NS}}Action`,
  `{${WSA_NS}}To`,
  `{${WSA_NS}}MessageID`,
  `{${WSA_NS}}ReplyTo`,
  `{${WSSE_NS}}Security`,
]);

const AUTH_FAILED = 'The security token could not be authenticated or authorized';

/** A per-account request budget; per instance, which bounds each instance's share of the load. */
export class AccountRateLimiter {
  private readonly windows = new Map<number, { start: number; count: number }>();
  constructor(private readonly perMinute: number) {}
  allow(accountId: number, now: number): boolean {
    const window = this.windows.get(accountId);
    if (!window || now - window.start >= 60_000) {
      this.windows.set(accountId, { start: now, count: 1 });
      return true;
    }
    window.count++;
    return window.count <= this.perMinute;
  }
}

function operationOf(parsed: ParsedEnvelope): Operation | undefined {
  const op = parsed.operation;
  if (!op || op.uri !== ISPP_NS) return undefined;
  return op.local === 'GetLocalAuthorityChildcareRegister' || op.local === 'GetServiceStatus'
    ? op.local
    : undefined;
}

export class IsppGateway {
  private readonly limiter: AccountRateLimiter;
  private readonly cache: RegisterDataCache;

  constructor(private readonly options: GatewayOptions) {
    this.limiter = new AccountRateLimiter(options.requestsPerMinute);
    // Room for the largest LAs' documents of the day (~10 MB each); 256 MB by default.
    this.cache = new RegisterDataCache(options.cacheBytes ?? 256 * 1024 * 1024);
  }

  async handle(xml: string, meta: RequestMeta): Promise<GatewayReply> {
    const base = { requestId: meta.requestId, clientAddress: meta.clientAddress, channel: 'soap' as const };
    let parsed: ParsedEnvelope;
    try {
      parsed = parseSoapEnvelope(xml);
    } catch (error) {
      if (!(error instanceof EnvelopeError)) throw error;
      const fault: Fault =
        error.code === 'version-mismatch'
          ? { code: 'VersionMismatch', reason: 'Only SOAP 1.2 envelopes are accepted.', httpStatus: 500 }
          : {
              code: 'Sender',
              reason: `The request is not an acceptable SOAP 1.2 message: ${error.message}`,
              httpStatus: 400,
            };
      return this.fault(fault, undefined, {
        ...base,
        operation: 'unknown',
        outcome: `refused:${error.code}`,
      });
    }
    const relatesTo = parsed.addressing.messageId;
    const operation = operationOf(parsed);
    const audit = { ...base, operation: operation ?? parsed.operation?.local ?? 'unknown' };
    if (!operation) {
      return this.fault(
        { code: 'Sender', reason: 'The Body names no operation of this service.', httpStatus: 400 },
        relatesTo,
        { ...audit, outcome: 'refused:unknown-operation' },
      );
    }
    if (parsed.addressing.action !== ACTIONS[operation]) {
      return this.fault(
        {
          code: 'Sender',
          subcode: { namespace: WSA_NS, prefix: 'a', name: 'ActionNotSupported' },
          reason: `The wsa:Action header must be ${ACTIONS[operation]}.`,
          httpStatus: 400,
        },
        relatesTo,
        { ...audit, outcome: 'refused:action' },
      );
    }
    const notUnderstood = notUnderstoodHeaders(parsed, UNDERSTOOD);
    if (notUnderstood.length > 0) {
      return this.fault(
        {
          code: 'MustUnderstand',
          reason: `Header ${notUnderstood[0]!.name} is not understood.`,
          httpStatus: 500,
        },
        relatesTo,
        { ...audit, outcome: 'refused:must-understand' },
      );
    }

    const now = this.options.now();
    let credentials: GatewayCredentials | undefined;
    const security = await verifySecurityHeader(
      parsed,
      {
        account: async (username) => {
          credentials = await credentialsOf(this.options.db, this.options.box, username);
          return credentials
            ? {
                id: String(credentials.account.id),
                password: credentials.password,
                requireCertificate: credentials.requireCertificate,
                certificates: credentials.certificates,
              }
            : undefined;
        },
        rememberNonce: (nonce, expiresAt) => rememberNonce(this.options.db, nonce, expiresAt),
      },
      // Ten minutes: node-soap and other toolkits stamp a 10-minute validity; WCF sends 5.
      { now, expectedTo: this.options.endpointUrl, maxMessageAgeSeconds: 600 },
    );
    if (!security.ok) {
      const reason = security.fault === 'FailedAuthentication' ? AUTH_FAILED : security.reason;
      this.options.log.info(
        { requestId: meta.requestId, fault: security.fault, why: security.reason },
        'gateway request refused',
      );
      return this.fault(wsseFault(security.fault, reason), relatesTo, {
        ...audit,
        laCode: parsed.localAuthorityCode,
        outcome: `refused:${security.fault}`,
        detail: security.reason,
      });
    }
    // Verified: the lookup above found this account.
    const account: GatewayAccount = credentials!.account;
    const authenticated = { ...audit, account };

    if (!this.limiter.allow(account.id, now.getTime())) {
      return this.fault(
        {
          code: 'Receiver',
          reason: 'Too many requests from this account: try again in a minute.',
          httpStatus: 429,
        },
        relatesTo,
        { ...authenticated, laCode: parsed.localAuthorityCode, outcome: 'refused:rate-limit' },
      );
    }

    if (operation === 'GetServiceStatus') {
      const text = inMaintenanceWindow(now, this.options.maintenance)
        ? 'ServiceMaintenanceOutage'
        : 'Available';
      return {
        httpStatus: 200,
        body: serviceStatusResponse(text, relatesTo),
        audit: { ...authenticated, outcome: text },
      };
    }

    const laCode = parsed.localAuthorityCode ?? '';
    try {
      const authorisations =
        account.kind === 'agent' ? await authorisationsOf(this.options.db, account.organisation) : [];
      const extractDate = londonDateOf(now);
      const summary = /^\d{3}$/.test(laCode)
        ? await extractSummary(this.options.db, laCode, extractDate)
        : undefined;
      const stored = summary?.status === 'ready' && summary.sha256 ? summary : undefined;
      const decision = decideCollection({
        account,
        laCode,
        authorisations,
        now,
        maintenance: this.options.maintenance,
        extractReady: stored !== undefined,
      });
      if (decision.code !== 'Success' || !stored) {
        return {
          httpStatus: 200,
          body: registerStatusResponse({ code: decision.code, description: decision.description }, relatesTo),
          audit: { ...authenticated, laCode, outcome: decision.code, detail: decision.description },
        };
      }
      const registerData = await this.cache.registerData(stored.sha256!, async () => {
        const withContent = await readyExtract(this.options.db, laCode, extractDate);
        if (!withContent) throw new Error(`extract ${laCode} ${extractDate} vanished while being read`);
        return withContent.content;
      });
      const { head, tail } = registerDataEnvelope(relatesTo);
      return {
        httpStatus: 200,
        body: [head, ...slices(registerData.content), tail],
        gzipped: async () => gzipMember(head, await registerData.deflated(), tail),
        audit: {
          ...authenticated,
          laCode,
          outcome: 'Success',
          detail: `extract ${extractDate} sha256 ${stored.sha256}`,
        },
      };
    } catch (error) {
      const incident = randomUUID();
      this.options.log.error({ err: error, incident, requestId: meta.requestId }, 'gateway failure');
      return {
        httpStatus: 200,
        body: registerStatusResponse(
          {
            code: 'GeneralSystemFailure',
            description: `An internal error occurred. Quote incident ${incident}.`,
          },
          relatesTo,
        ),
        audit: { ...authenticated, laCode, outcome: 'GeneralSystemFailure', detail: `incident ${incident}` },
      };
    }
  }

  private fault(fault: Fault, relatesTo: string | undefined, audit: GatewayReply['audit']): GatewayReply {
    return { httpStatus: fault.httpStatus, body: faultResponse(fault, relatesTo), audit };
  }

  /** Audits a request refused before it reached `handle` (too large, wrong content type). */
  async auditRefusal(meta: RequestMeta, outcome: string, bytes: number, durationMs: number): Promise<void> {
    await recordAudit(this.options.db, {
      requestId: meta.requestId,
      clientAddress: meta.clientAddress,
      channel: 'soap',
      operation: 'unknown',
      outcome,
      bytes,
      durationMs,
    });
  }

  /** Writes the audit row once the reply is sent (or failed to send). */
  async audit(reply: GatewayReply, bytes: number, durationMs: number): Promise<void> {
    await recordAudit(this.options.db, { ...reply.audit, bytes, durationMs });
  }
}
