/**
 * A change that asks first: `GET path` shows a check-your-answers page (check-answers.njk) with
 * one button, whose form posts to the same address, and `POST path` makes the change. The path
 * ends in `:change`, one of a few words ("disable", "revoke"); the thing changed is found afresh
 * for each request from the other parameters, and an unknown thing or word is the page's 404.
 * The web shell has checked the form's CSRF token before the POST's handler runs.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { formBody, type TypedApp } from '../http/typed-routes.ts';

/** What check-answers.njk shows. */
export interface CheckAnswers {
  caption?: string;
  pageTitle: string;
  rows: { key: string; value: string }[];
  warning?: string;
  paragraphs?: string[];
  button: string;
  /** A red button, for what cuts someone off. */
  warningButton?: boolean;
  back: { href: string; text: string };
}

export interface CheckedChange<T, C extends string> {
  /** The route, ending in `/:change`. */
  path: string;
  changes: readonly C[];
  /** Who may: `requireRole(…)`. */
  preHandler: ReturnType<FastifyInstance['requireRole']>;
  /** The thing the other parameters name, or undefined. */
  find(params: Record<string, string>): Promise<T | undefined>;
  notFound(reply: FastifyReply): FastifyReply;
  check(thing: T, change: C): CheckAnswers;
  /** Makes the change and answers: a redirect, or a page (a secret shown once). */
  apply(thing: T, change: C, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>;
}

const Params = Type.Record(Type.String(), Type.String());

export function checkThenChange<T, C extends string>(scope: TypedApp, spec: CheckedChange<T, C>): void {
  const found = async (params: Record<string, string>) => {
    const change = spec.changes.find((c) => c === params.change);
    const thing = change === undefined ? undefined : await spec.find(params);
    return change === undefined || thing === undefined ? undefined : { thing, change };
  };
  scope.get(
    spec.path,
    { preHandler: spec.preHandler, schema: { params: Params, hide: true } },
    async (request, reply) => {
      const asked = await found(request.params);
      if (!asked) return spec.notFound(reply);
      return reply.view('check-answers.njk', {
        ...spec.check(asked.thing, asked.change),
        action: request.url,
      });
    },
  );
  scope.post(
    spec.path,
    { preHandler: spec.preHandler, schema: { params: Params, body: formBody(), hide: true } },
    async (request, reply) => {
      const asked = await found(request.params);
      if (!asked) return spec.notFound(reply);
      request.log.info({ path: spec.path, change: asked.change }, 'change made');
      return spec.apply(asked.thing, asked.change, request, reply);
    },
  );
}
