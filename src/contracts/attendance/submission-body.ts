/**
 * The wire body of `POST /attendances`, as a well-behaved client sends it: one TypeBox schema,
 * published in the OpenAPI document and the source of the body's TypeScript types, for the
 * receiver (its documentation) and the sender (what it builds). The receiver does not validate
 * with it: `validateSubmission` reads the body by hand, to answer in the contract's error codes
 * (decision 0007), and a test (src/dfe/collection/submission-schema.test.ts) holds the two to the
 * same bodies: what is accepted without an error, the schema accepts; what is refused outright,
 * the schema refuses.
 */
import { Type, type Static } from 'typebox';
import { MAX_PUPIL_COUNT } from './submission.ts';

const Count = Type.Integer({ minimum: 0, maximum: MAX_PUPIL_COUNT });

export const SubmissionEntryBody = Type.Object({
  ncYearGroup: Type.String({
    description: 'A pupil NC year group: E1 E2 N1 N2 R 1 … 14 X (never M)',
    examples: ['R', '7'],
  }),
  date: Type.String({ description: 'YYYY-MM-DD or YYYY-MM-DDT00:00:00' }),
  schoolSession: Type.Union([Type.Literal('AM'), Type.Literal('PM')]),
  attendances: Type.Array(Type.Object({ attendanceCode: Type.String(), value: Count }), {
    description: 'Roll-call marks totalled per attendance code; each code at most once',
  }),
});

export const SubmissionBody = Type.Object({
  urn: Type.Union(
    [Type.Integer({ minimum: 100_000, maximum: 999_999 }), Type.String({ pattern: '^[1-9][0-9]{5}$' })],
    { description: "The school's URN: 6 digits, a JSON number (as the 2020 clients send it) or a string" },
  ),
  totalNoOfPupils: Type.Integer({ minimum: 0, maximum: MAX_PUPIL_COUNT, description: 'Pupils on roll' }),
  enrolments: Type.Optional(
    Type.Union([Type.Array(Type.Object({ ncYearGroup: Type.String(), value: Count })), Type.Null()], {
      description:
        'Optional (edgate): pupils enrolled per year group, on the day of sending. When sent, they add up ' +
        "to totalNoOfPupils, and each entry dated the day of receipt has marks adding up to its year group's " +
        'enrolment. Year groups not listed are not checked.',
    }),
  ),
  submissionData: Type.Array(SubmissionEntryBody),
});

export type AttendanceSubmissionBody = Static<typeof SubmissionBody>;
export type AttendanceSubmissionEntryBody = Static<typeof SubmissionEntryBody>;
