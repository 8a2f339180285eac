/**
 * An officer uploads an extract file on the collection pages. The file goes the way a collected
 * document goes: checked and stored (`takeUpload`: size, depth, no DOCTYPE, the feed's reader,
 * the right LA; an unreadable one kept aside as invalid), taken in under the guards, and the
 * webhook told. The answer says what happened in plain words.
 *
 * One file of at most MAX_DOCUMENT_BYTES and a few short fields (form-with-files.ts): who may
 * upload is checked before the body is read; a request without the form's CSRF token is refused
 * after parsing and before anything is stored.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { EdgateDatabase } from '../../platform/db/schema.ts';
import { localAuthorityByCode } from '../../platform/reference.ts';
import type { TakeInOutcome } from '../directory/take-in.ts';
import { KIND_LABELS } from '../directory/change-words.ts';
import { takeUpload, type LaCollection } from './collect-all.ts';
import { MAX_DOCUMENT_BYTES, megabytes } from './extract-document.ts';
import { laScope } from './collection-pages.ts';
import { acceptFormsWithFiles, fileField } from '../../platform/web/form-with-files.ts';

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

      scope.get('/collection/upload', { preHandler: allowed }, async (request, reply) =>
        uploadForm(reply, request, []),
      );

      await scope.register(async (upload) => {
        await acceptFormsWithFiles(upload, {
          limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 4 },
          mayPost: allowed,
          refuse: (request, reply, status, message) => refused(reply, request, status, message),
        });

        upload.post('/collection/upload', { preHandler: allowed }, async (request, reply) => {
          const { officer, laCode: ownLa } = laScope(request);
          const body = (request.body ?? {}) as Record<string, unknown>;
          const laCode = officer ? ownLa! : String(body.laCode ?? '').trim();
          if (!/^\d{3}$/.test(laCode) || !localAuthorityByCode(laCode))
            return refused(reply, request, 400, 'Enter the 3-digit code of a local authority in England.');
          const file = fileField(body, 'file');
          if (!file) return refused(reply, request, 400, 'Choose an extract file (XML) to upload.');
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
    reply.code(status);
    return uploadForm(reply, request, [`${message} Nothing was changed.`]);
  }
}

function uploadForm(reply: FastifyReply, request: FastifyRequest, errors: string[]) {
  const { officer, laCode } = laScope(request);
  return reply.view(`${VIEWS}/upload.njk`, {
    pageTitle: 'Upload an extract file',
    officer,
    la: laCode ? localAuthorityByCode(laCode) : undefined,
    maxSize: megabytes(MAX_DOCUMENT_BYTES),
    values: { laCode: laCode ?? '' },
    errors,
  });
}
