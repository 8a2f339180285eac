/**
 * An officer uploads an extract file on the collection pages. The file goes the way a collected
 * document goes: checked and stored (`takeUpload`: size, depth, no DOCTYPE, the feed's reader,
 * the right LA; an unreadable one kept aside as invalid), taken in under the guards, and the
 * webhook told. The answer says what happened in plain words.
 *
 * Multipart is parsed only here (the server takes no body type a route does not ask for): one
 * file of at most MAX_DOCUMENT_BYTES, a few short fields. The file is read before the shell's
 * CSRF check (the token is a field of the same form), so who may upload is checked first, before
 * any of the body is read; a request without the right token is then refused and nothing stored.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyMultipart from '@fastify/multipart';
import type { Kysely } from 'kysely';
import type { EdgateDatabase } from '../../platform/db/schema.ts';
import { localAuthorityByCode } from '../../platform/reference.ts';
import type { TakeInOutcome } from '../directory/take-in.ts';
import { KIND_LABELS } from '../directory/change-words.ts';
import { takeUpload, type LaCollection } from './collect-all.ts';
import { MAX_DOCUMENT_BYTES, megabytes } from './extract-document.ts';
import { laScope } from './collection-pages.ts';

type Db = Kysely<EdgateDatabase>;
const VIEWS = 'la/collection/views';

export interface UploadPageOptions {
  db: Db;
  now: () => Date;
  /** Takes a new readable snapshot in (the collector's own take-in). */
  takeIn: (snapshotId: number, by: string) => Promise<TakeInOutcome>;
  /** The end of a collection run: the webhook is told. */
  afterCollection: (result: LaCollection) => Promise<void>;
}

/** Why an upload was refused before it was read, in plain words, by the multipart error's code. */
const REFUSALS: Record<string, string> = {
  FST_REQ_FILE_TOO_LARGE: `The file is larger than ${megabytes(MAX_DOCUMENT_BYTES)}, the most an extract may be.`,
  FST_FILES_LIMIT: 'Choose one file only.',
  FST_PARTS_LIMIT: 'The form sent more than it has fields.',
  FST_FIELDS_LIMIT: 'The form sent more than it has fields.',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'Send the form as a file upload (multipart/form-data).',
};

function allowedToUpload(request: FastifyRequest): boolean {
  const roles = request.session?.account.roles ?? [];
  return roles.includes('la-officer') || roles.includes('admin');
}

/** What happened to the file, for the result page. */
export function uploadWords(
  result: LaCollection,
  takenIn: TakeInOutcome | undefined,
): { title: string; paragraphs: string[]; refused: boolean } {
  if (result.outcome === 'invalid-document')
    return {
      title: 'The file is not a readable extract',
      paragraphs: [
        result.error ?? 'The document could not be read.',
        'It was kept aside (you can download it from the collection page) and nothing was taken in.',
      ],
      refused: true,
    };
  if (result.outcome === 'same-as-before')
    return {
      title: 'This extract was uploaded or collected before',
      paragraphs: ['The same document is already stored. Nothing has changed.'],
      refused: false,
    };
  if (takenIn?.kind === 'held')
    return {
      title: 'The extract is held for a person to decide',
      paragraphs: [
        ...takenIn.reasons.map((r) => r.message),
        'Nothing was applied. Check with the regulator, then take it in or discard it on the held snapshots page.',
      ],
      refused: false,
    };
  if (takenIn?.kind === 'taken-in') {
    const counts = Object.entries(takenIn.counts)
      .filter(([kind]) => kind !== 'housekeeping')
      .map(([kind, n]) => `${n} ${(KIND_LABELS as Record<string, string>)[kind]?.toLowerCase() ?? kind}`);
    return {
      title: 'The extract was taken in',
      paragraphs: [
        counts.length ? `It brought ${counts.join(', ')}.` : 'It brought no change to review.',
        takenIn.autoApplied
          ? 'Auto-apply is on: the changes are in the directory already, and recorded.'
          : 'The changes wait for review.',
      ],
      refused: false,
    };
  }
  return {
    title: 'The extract was stored',
    paragraphs: ['It is stored and waits to be taken in.'],
    refused: false,
  };
}

export async function uploadPage(app: FastifyInstance, options: UploadPageOptions): Promise<void> {
  const { db, now } = options;
  await app.register(
    async (scope) => {
      const allowed = scope.requireRole('la-officer', 'admin');

      scope.get('/collection/upload', { preHandler: allowed }, async (request, reply) => {
        const { officer, laCode } = laScope(request);
        return reply.view(`${VIEWS}/upload.njk`, {
          pageTitle: 'Upload an extract file',
          officer,
          la: laCode ? localAuthorityByCode(laCode) : undefined,
          maxSize: megabytes(MAX_DOCUMENT_BYTES),
          values: { laCode: laCode ?? '' },
          errors: [],
        });
      });

      await scope.register(async (upload) => {
        // Before the body is read: only a signed-in officer or admin may make edgate read a file.
        upload.addHook('onRequest', async (request, reply) => {
          if (!allowedToUpload(request)) return allowed(request, reply);
        });
        await upload.register(fastifyMultipart, {
          attachFieldsToBody: 'keyValues',
          limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 4, fieldSize: 1024, parts: 6 },
        });
        upload.setErrorHandler(async (error: FastifyError, request, reply) => {
          const refusal = error.code ? REFUSALS[error.code] : undefined;
          if (!refusal) throw error;
          request.log.info({ code: error.code }, 'extract upload refused');
          return refused(reply, request, error.statusCode ?? 400, refusal);
        });

        upload.post('/collection/upload', { preHandler: allowed }, async (request, reply) => {
          const { officer, laCode: ownLa } = laScope(request);
          const body = (request.body ?? {}) as Record<string, unknown>;
          const laCode = officer ? ownLa! : String(body.laCode ?? '').trim();
          if (!/^\d{3}$/.test(laCode) || !localAuthorityByCode(laCode))
            return refused(reply, request, 400, 'Enter the 3-digit code of a local authority in England.');
          const file = body.file;
          if (!Buffer.isBuffer(file) || file.length === 0)
            return refused(reply, request, 400, 'Choose an extract file (XML) to upload.');
          const by = request.session!.account.username;
          const result = await takeUpload(db, { laCode, bytes: file, by, now: now() });
          const takenIn =
            result.outcome === 'collected' && result.snapshotId !== undefined
              ? await options.takeIn(result.snapshotId, by)
              : undefined;
          await options.afterCollection(result);
          const words = uploadWords(result, takenIn);
          reply.code(words.refused ? 400 : 200);
          return reply.view(`${VIEWS}/upload-result.njk`, {
            pageTitle: words.title,
            paragraphs: words.paragraphs,
            laCode,
            held: takenIn?.kind === 'held',
            takenIn: takenIn?.kind === 'taken-in',
          });
        });
      });
    },
    { prefix: '/la' },
  );

  function refused(reply: FastifyReply, request: FastifyRequest, status: number, message: string) {
    const { officer, laCode } = request.session ? laScope(request) : { officer: true, laCode: undefined };
    reply.code(status);
    return reply.view(`${VIEWS}/upload.njk`, {
      pageTitle: 'Upload an extract file',
      officer,
      la: laCode ? localAuthorityByCode(laCode) : undefined,
      maxSize: megabytes(MAX_DOCUMENT_BYTES),
      values: { laCode: laCode ?? '' },
      errors: [`${message} Nothing was changed.`],
    });
  }
}
