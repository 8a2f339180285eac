/**
 * Routes whose handlers take their types from their TypeBox schemas (decision 0019): the schema
 * that validates a request and documents it in OpenAPI is also where `request.params`,
 * `request.query` and `request.body` get their types, so a handler never casts them.
 *
 *   typed(app).get('/x/:ref', { schema: { params: Type.Object({ ref: Type.String() }) } },
 *     async (request) => request.params.ref);
 *
 * Types only: requests are validated by Fastify's own validator, as before. A route that validates
 * by hand (`validatorCompiler: documentationOnly`, decision 0007) types what it reads itself.
 */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

export type TypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** The same instance, its routes typed by their schemas. */
export function typed(app: FastifyInstance): TypedApp {
  return app.withTypeProvider<TypeBoxTypeProvider>();
}
