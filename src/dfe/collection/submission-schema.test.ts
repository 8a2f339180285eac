/**
 * The published schema of `POST /attendances` (contracts/attendance/submission-body.ts) and the
 * hand-written validation the API runs instead of it (decision 0007) take the same bodies: a body
 * accepted without an error is valid by the schema, and a body refused outright is invalid by it.
 * In between, the schema cannot say what the contract reports with a 201 (an unknown code, a date
 * outside the window, marks not adding up): those bodies may be valid by the schema or not.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Compile } from 'typebox/compile';
import { prng } from '../schools/synthetic-schools.ts';
import { bodyIsJson } from './request-body.ts';
import { syntheticSubmission } from './synthetic-submission.ts';
import { SubmissionBody } from '../../contracts/attendance/submission-body.ts';
import { validateSubmission, type ValidationContext } from '../../contracts/attendance/submission.ts';

// A Friday; every URN is in the register (the schema cannot know the register).
const CONTEXT: ValidationContext = { receivedAt: new Date('2026-11-20T09:30:00Z'), urnExists: () => true };
const schema = Compile(SubmissionBody);

/** What the API makes of a body, and what the schema says of it; fails when they disagree. */
function agree(text: string, name: string): 'clean' | 'reported' | 'refused' {
  const read = bodyIsJson(Buffer.from(text));
  const valid = read.ok && schema.Check(read.body);
  const validation = read.ok ? validateSubmission(read.body, CONTEXT) : undefined;
  const outcome =
    validation?.kind !== 'accepted' ? 'refused' : validation.errors.length === 0 ? 'clean' : 'reported';
  if (outcome === 'clean')
    assert.ok(valid, `${name}: accepted without an error, but the schema refuses it: ${text.slice(0, 300)}`);
  if (outcome === 'refused')
    assert.ok(!valid, `${name}: refused outright, but the schema accepts it: ${text.slice(0, 300)}`);
  return outcome;
}

const base = syntheticSubmission({
  urn: 123456,
  dates: ['2026-11-19', '2026-11-20'],
  yearGroups: ['7', '8'],
  pupilsPerYearGroup: 30,
  seed: 7,
}) as unknown as Record<string, unknown>;
const text = JSON.stringify(base);
const changed = (change: (document: Record<string, unknown>) => void): string => {
  const copy = JSON.parse(text) as Record<string, unknown>;
  change(copy);
  return JSON.stringify(copy);
};
type Entry = Record<string, unknown> & { attendances: Record<string, unknown>[] };
const entries = (document: Record<string, unknown>) => document.submissionData as Entry[];

describe('the published schema takes the bodies the API takes', () => {
  const cases: Record<string, [string, 'clean' | 'reported' | 'refused']> = {
    'the usual body': [text, 'clean'],
    'the URN as a string': [changed((d) => (d.urn = '123456')), 'clean'],
    'no enrolments': [changed((d) => delete d.enrolments), 'clean'],
    'enrolments null': [changed((d) => (d.enrolments = null)), 'clean'],
    'enrolments empty': [changed((d) => (d.enrolments = [])), 'clean'],
    'no entries': [changed((d) => (d.submissionData = [])), 'clean'],
    'an unknown field': [changed((d) => (d.schoolName = 'Synthetic School')), 'clean'],
    'a .NET date': [
      changed((d) => (entries(d)[0]!.date = `${entries(d)[0]!.date as string}T00:00:00`)),
      'clean',
    ],
    'not JSON': [text.slice(0, -1), 'refused'],
    'a list': [`[${text}]`, 'refused'],
    null: ['null', 'refused'],
    'no URN': [changed((d) => delete d.urn), 'refused'],
    'a URN of null': [changed((d) => (d.urn = null)), 'refused'],
    'a 5-digit URN': [changed((d) => (d.urn = 12345)), 'refused'],
    'a 7-digit URN as a string': [changed((d) => (d.urn = '1234567')), 'refused'],
    'a URN with a leading zero': [changed((d) => (d.urn = '012345')), 'refused'],
    'a URN with a fraction': [changed((d) => (d.urn = 123456.5)), 'refused'],
    'a URN as true': [changed((d) => (d.urn = true)), 'refused'],
    'no submissionData': [changed((d) => delete d.submissionData), 'refused'],
    'submissionData an object': [changed((d) => (d.submissionData = {})), 'refused'],
    'no totalNoOfPupils': [changed((d) => delete d.totalNoOfPupils), 'reported'],
    'a session am': [changed((d) => (entries(d)[0]!.schoolSession = 'am')), 'reported'],
    'a count as a string': [changed((d) => (entries(d)[0]!.attendances[0]!.value = '2')), 'reported'],
    'a negative count': [changed((d) => (entries(d)[0]!.attendances[0]!.value = -1)), 'reported'],
    'an entry that is not an object': [changed((d) => (d.submissionData as unknown[]).push(3)), 'reported'],
  };
  for (const [name, [variant, expected]] of Object.entries(cases)) {
    test(`${name}: ${expected}`, () => {
      assert.equal(agree(variant, name), expected);
    });
  }

  test('randomly damaged bodies', () => {
    const rand = prng(13);
    const pieces = ['', ' ', ',', ':', '{', '}', '[', ']', '"', '0', '1', '9', '-', '.', 'null', '"7"', 'AM'];
    const seen = { clean: 0, reported: 0, refused: 0 };
    for (let i = 0; i < 1000; i++) {
      let damaged = text;
      for (let d = 1 + Math.floor(rand() * 2); d > 0; d--) {
        const at = Math.floor(rand() * damaged.length);
        const piece = pieces[Math.floor(rand() * pieces.length)] ?? '';
        damaged = damaged.slice(0, at) + piece + damaged.slice(at + Math.floor(rand() * 3));
      }
      seen[agree(damaged, `damage ${i}`)]++;
    }
    // The damage reached every outcome, so each direction was tried.
    for (const [outcome, count] of Object.entries(seen))
      assert.ok(count > 0, `no damaged body was ${outcome}`);
  });
});
