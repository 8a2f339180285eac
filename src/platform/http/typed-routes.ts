/**
 * Routes whose handlers take their types from their TypeBox schemas (decision 0020): the schema
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
import { Type, type TNull, type TObject, type TOptional, type TUnion, type TUnknown } from 'typebox';

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

/** The fields a page reads from its address or its form, each optional and of any value. */
export type TPageFields<K extends string> = TObject<{ [Name in K]: TOptional<TUnknown> }>;

/**
 * A page's query string or form, for its route schema: the page checks each value itself and
 * answers a bad one with the page and its error message, never a 400. So each field may be
 * absent or anything (a repeated one is a list), and fields not named are kept.
 */
export function pageFields<const K extends string>(...names: K[]): TPageFields<K> {
  const properties = Object.fromEntries(names.map((name) => [name, Type.Optional(Type.Unknown())]));
  // Object.fromEntries forgets the names; they are exactly `names`.
  return Type.Object(properties) as TPageFields<K>;
}

/** A page's form body: its fields, or nothing at all when a request sent no body. */
export function formBody<const K extends string>(...names: K[]): TUnion<[TPageFields<K>, TNull]> {
  return Type.Union([pageFields(...names), Type.Null()]);
}
