/**
 * What a first-time user must not meet in a page's text: the feed's codes (`REGD`, `45WY`,
 * `ACTV`), outcome codes (`refused:unknown-api-key`), role ids (`la-officer`), machine names
 * ("vm:…") and times in UTC or as ISO timestamps. Attributes, scripts and styles are not text: a
 * form's values and a link's address may hold codes.
 */
import assert from 'node:assert/strict';
import { CODE_LABELS } from '../../src/contracts/childcare-extract/codes.ts';

// Codes of three characters or more: two-letter ones ("CA") are too often plain words.
const FEED_CODES = Object.entries(CODE_LABELS)
  .filter(([list]) => list !== 'yesNo')
  .flatMap(([, labels]) => Object.keys(labels))
  .filter((code) => code.length >= 3);

const PATTERNS: [string, RegExp][] = [
  ['a code of the feed', new RegExp(`(?<![\\w-])(${FEED_CODES.join('|')})(?![\\w-])`)],
  ['an outcome code', /\b[a-z]+:[a-z0-9]+(?:-[a-z0-9]+)+\b/],
  ['a role id', /\b(la-officer|dfe-analyst|school-user)\b/],
  ['a machine name', /\bvm:|Built by/],
  ['an ISO timestamp', /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/],
  ['a time in UTC', /\bUTC\b|\bGMT\b|\bBST\b/],
];

/** The text a person reads: tags, comments, scripts and styles removed, entities decoded. */
export function pageText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** Each thing in the page's text a person should not have to decode, with where it was found. */
export function plainWordsProblems(html: string): string[] {
  const text = pageText(html);
  return PATTERNS.flatMap(([what, pattern]) => {
    const found = pattern.exec(text);
    if (!found) return [];
    const at = found.index;
    return [`${what}: “…${text.slice(Math.max(0, at - 40), at + found[0].length + 40)}…”`];
  });
}

export function assertPlainWords(html: string, page: string): void {
  assert.deepEqual(plainWordsProblems(html), [], `${page} shows codes or UTC times`);
}
