/**
 * Forms that carry files (an extract, a certificate): `multipart/form-data` is parsed only in the
 * scope this is called on (the server takes no body type a route does not ask for), files read
 * into memory up to `fileSize`, a refusal answered by `refuse` in plain words. Who may post is
 * checked before any of the body is read; the shell's CSRF check runs after parsing, since the
 * token is a field of the same form.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyMultipart from '@fastify/multipart';

export interface FileFormLimits {
  fileSize: number;
  files: number;
  fields: number;
}

function sizeInWords(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`;
}

/** Why a form was refused before it was read, in plain words, by the multipart error's code. */
function refusalWords(code: string | undefined, limits: FileFormLimits): string | undefined {
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return `The file is larger than ${sizeInWords(limits.fileSize)}, the most it may be.`;
    case 'FST_FILES_LIMIT':
      return limits.files === 1 ? 'Choose one file only.' : `Choose at most ${limits.files} files.`;
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return 'The form sent more than it has fields.';
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return 'Send the form as a file upload (multipart/form-data).';
    default:
      return undefined;
  }
}

export async function acceptFormsWithFiles(
  scope: FastifyInstance,
  options: {
    limits: FileFormLimits;
    mayPost: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
    refuse: (request: FastifyRequest, reply: FastifyReply, status: number, message: string) => unknown;
  },
): Promise<void> {
  // Who may post is checked before a byte of the body is read (the routes check again).
  scope.addHook('onRequest', async (request, reply) => options.mayPost(request, reply));
  await scope.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    limits: {
      fileSize: options.limits.fileSize,
      files: options.limits.files,
      fields: options.limits.fields,
      fieldSize: 4096,
      parts: options.limits.files + options.limits.fields,
    },
  });
  scope.setErrorHandler(async (error: FastifyError, request, reply) => {
    const refusal = refusalWords(error.code, options.limits);
    if (!refusal) throw error;
    request.log.info({ code: error.code }, 'form with files refused');
    return options.refuse(request, reply, error.statusCode ?? 400, refusal);
  });
}

/** A file field of a parsed form: its bytes, or undefined when none was chosen. */
export function fileField(body: Record<string, unknown>, name: string): Buffer | undefined {
  const value = body[name];
  return Buffer.isBuffer(value) && value.length > 0 ? value : undefined;
}
