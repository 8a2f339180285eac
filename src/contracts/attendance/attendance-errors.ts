/**
 * The attendance collection's error codes: the one table. Every validation rule cites one of these
 * codes, and the API answers with the `id`, `code`, `status` and `title` given here.
 *
 * VAL100–VAL105 are the 2020 DfE attendance API's, and their ids, titles, statuses and (for
 * VAL100–VAL102) detail texts are exactly what its existing clients were tested against. The rest
 * are edgate's, in the same style: `ERROR_…` for envelope errors, which refuse the whole request
 * (HTTP 400, or 415 for the content type), and `FAILURE_…` for record errors, which are reported
 * with the 201 answer while the rest of the submission is stored. Codes are never renumbered or
 * reused: a client may have one in a switch statement.
 */

/** The HTTP statuses of a refused request. */
export type RefusalStatus = '400' | '403' | '404' | '409' | '413' | '415' | '422';

export interface AttendanceErrorDefinition {
  code: string;
  id: string;
  title: string;
  /** The HTTP status of an envelope error as a string (`"400"`); `""` for a record error. */
  status: RefusalStatus | '';
  /** When the rule raises it. Documentation, also for the published list of codes. */
  when: string;
  /** Envelope errors only: the detail text when the rule has nothing more precise to say. */
  detail?: string;
}

const GIAS_HINT =
  'You can search here at https://get-information-schools.service.gov.uk/ to find the appropriate URN';

export const ATTENDANCE_ERRORS = {
  VAL100: {
    code: 'VAL100',
    id: 'ERROR_INVALID_URN',
    title: 'URN is required',
    status: '400',
    when: 'The submission has no URN (no urn property, or null).',
    detail: 'No URN was provided in the submission',
  },
  VAL101: {
    code: 'VAL101',
    id: 'ERROR_INVALID_URN',
    title: 'Invalid URN',
    status: '400',
    when: 'The URN is not 6 digits (a JSON number, or a string of 6 digits).',
    detail: `A Valid URN is required along with the submission. ${GIAS_HINT}`,
  },
  VAL102: {
    code: 'VAL102',
    id: 'ERROR_INVALID_URN',
    title: 'URN not found',
    status: '400',
    when: 'The URN is well formed but is not a school in the schools register.',
    detail: `URN not found. ${GIAS_HINT}`,
  },
  VAL103: {
    code: 'VAL103',
    id: 'FAILURE_INVALID_NCYEARGROUP_CODE',
    title: 'Invalid NC Year Group Code',
    status: '',
    when: "An ncYearGroup (of a submission entry or an enrolment) is not a pupil's NC year group; M is a class year group only.",
  },
  VAL104: {
    code: 'VAL104',
    id: 'FAILURE_INVALID_ATTENDANCE_CODE',
    title: 'Invalid Attendance Code',
    status: '',
    when: "An attendanceCode is unknown, or is not valid on the entry's date (K before 19 August 2024, H after 18 August 2024).",
  },
  VAL105: {
    code: 'VAL105',
    id: 'FAILURE_INVALID_ATTENDANCE_VALUE',
    title: 'Invalid Attendance Value',
    status: '',
    when: 'An attendance value is not a whole number from 0 to 100,000 (negative, -0, fractional, larger, or not a JSON number).',
  },
  VAL106: {
    code: 'VAL106',
    id: 'FAILURE_INVALID_DATE',
    title: 'Invalid Date',
    status: '',
    when: 'A date is neither YYYY-MM-DD nor YYYY-MM-DDT00:00:00, or names a day that does not exist.',
  },
  VAL107: {
    code: 'VAL107',
    id: 'FAILURE_FUTURE_DATE',
    title: 'Date In The Future',
    status: '',
    when: 'A date is after the date the submission was received (Europe/London).',
  },
  VAL108: {
    code: 'VAL108',
    id: 'FAILURE_DATE_OUTSIDE_WINDOW',
    title: 'Date Older Than 8 Working Days',
    status: '',
    when: 'A date is before the 8th working day before the date the submission was received.',
  },
  VAL109: {
    code: 'VAL109',
    id: 'FAILURE_INVALID_SCHOOL_SESSION',
    title: 'Invalid School Session',
    status: '',
    when: 'A schoolSession is not "AM" or "PM".',
  },
  VAL110: {
    code: 'VAL110',
    id: 'FAILURE_DUPLICATE_SUBMISSION_DATA',
    title: 'Duplicate Date, School Session and NC Year Group',
    status: '',
    when: 'Two or more entries have the same date, school session and year group; none of them is stored.',
  },
  VAL111: {
    code: 'VAL111',
    id: 'FAILURE_DUPLICATE_ATTENDANCE_CODE',
    title: 'Duplicate Attendance Code',
    status: '',
    when: "An attendance code appears more than once in one entry's attendances.",
  },
  VAL112: {
    code: 'VAL112',
    id: 'FAILURE_ATTENDANCE_TOTAL_MISMATCH',
    title: 'Attendance Total Does Not Match Enrolment',
    status: '',
    when: "For an entry dated the day of receipt, the attendance values do not add up to the year group's enrolment.",
  },
  VAL113: {
    code: 'VAL113',
    id: 'FAILURE_INVALID_NO_OF_PUPILS',
    title: 'Invalid Total Number Of Pupils',
    status: '',
    when: 'totalNoOfPupils is missing or is not a whole number from 0 to 100,000.',
  },
  VAL114: {
    code: 'VAL114',
    id: 'FAILURE_INVALID_ENROLMENT',
    title: 'Invalid Enrolment',
    status: '',
    when: 'enrolments is not a list, an enrolment is not an object, or its value is not a whole number from 0 to 100,000.',
  },
  VAL115: {
    code: 'VAL115',
    id: 'FAILURE_DUPLICATE_ENROLMENT',
    title: 'Duplicate NC Year Group Enrolment',
    status: '',
    when: 'A year group appears more than once in enrolments.',
  },
  VAL116: {
    code: 'VAL116',
    id: 'FAILURE_ENROLMENT_TOTAL_MISMATCH',
    title: 'Enrolment Total Does Not Match Total Number Of Pupils',
    status: '',
    when: 'The year-group enrolments do not add up to totalNoOfPupils.',
  },
  VAL117: {
    code: 'VAL117',
    id: 'FAILURE_INVALID_SUBMISSION_DATA',
    title: 'Invalid Submission Data',
    status: '',
    when: 'An entry of submissionData is not an object, its attendances is not a list, or an attendance is not an object.',
  },
  VAL118: {
    code: 'VAL118',
    id: 'ERROR_EMPTY_REQUEST_BODY',
    title: 'Empty request body',
    status: '400',
    when: 'The request body is empty, is not JSON, is not a JSON object, or nests lists and objects more than 64 deep.',
    detail: 'Empty request body',
  },
  VAL119: {
    code: 'VAL119',
    id: 'ERROR_INCORRECT_CONTENT_TYPE',
    title: 'Incorrect content type',
    status: '415',
    when: 'The Content-Type header is not JSON (application/json, text/json or application/*+json).',
    detail: 'Incorrect content type',
  },
  VAL120: {
    code: 'VAL120',
    id: 'ERROR_INVALID_SUBMISSION_DATA',
    title: 'Invalid submission data',
    status: '400',
    when: 'submissionData is missing or is not a list, so there is nothing to store.',
    detail: 'submissionData must be a list of entries',
  },
  VAL121: {
    code: 'VAL121',
    id: 'ERROR_NO_CONSENT',
    title: 'No consent',
    status: '403',
    when: "The supplier does not hold the school's active consent to send its attendance (for a client that requires consent).",
    detail: 'The school has not given this supplier consent to send its attendance',
  },
  VAL122: {
    code: 'VAL122',
    id: 'ERROR_IDEMPOTENCY_KEY_REUSED',
    title: 'Idempotency key already used',
    status: '422',
    when: 'An Idempotency-Key the client used before arrives with a different request body.',
    detail: 'This Idempotency-Key was used with a different request body',
  },
  VAL123: {
    code: 'VAL123',
    id: 'ERROR_INVALID_CONSENT',
    title: 'Invalid consent',
    status: '400',
    when: 'A consent does not say who gave it (givenBy) and when (givenAt, a date and time not in the future).',
    detail: 'A consent needs givenBy and givenAt',
  },
  VAL124: {
    code: 'VAL124',
    id: 'ERROR_CONSENT_NOT_FOUND',
    title: 'Consent not found',
    status: '404',
    when: 'The supplier holds no active consent of that school to remove or read.',
    detail: 'No active consent of this school is recorded for this supplier',
  },
  VAL125: {
    code: 'VAL125',
    id: 'ERROR_SUBMISSION_NOT_FOUND',
    title: 'Submission not found',
    status: '404',
    when: 'No submission with that reference was made by this client.',
    detail: 'No submission with this reference was made by this client',
  },
  VAL126: {
    code: 'VAL126',
    id: 'ERROR_REQUEST_TOO_LARGE',
    title: 'Request body too large',
    status: '413',
    when: 'The request body is larger than 4 MB (a submission of 9 days of a large school is far below it).',
    detail: 'The request body is too large',
  },
  VAL127: {
    code: 'VAL127',
    id: 'ERROR_INVALID_IDEMPOTENCY_KEY',
    title: 'Invalid Idempotency-Key',
    status: '400',
    when: 'The Idempotency-Key header is empty, longer than 255 characters, or not printable ASCII.',
    detail: 'An Idempotency-Key is 1 to 255 printable ASCII characters',
  },
  VAL128: {
    code: 'VAL128',
    id: 'ERROR_INVALID_DATE',
    title: 'Invalid date',
    status: '400',
    when: 'A date in the query string is not YYYY-MM-DD.',
    detail: 'The date must be YYYY-MM-DD',
  },
  VAL129: {
    code: 'VAL129',
    id: 'ERROR_LA_NOT_PERMITTED',
    title: 'Local authority not permitted',
    status: '403',
    when: "A client with LA-scoped read (attendance.read.la) asks for the statistics of another LA than its token's own.",
    detail: "This client may read only its own local authority's statistics",
  },
  VAL130: {
    code: 'VAL130',
    id: 'ERROR_LA_NOT_FOUND',
    title: 'Local authority not found',
    status: '404',
    when: 'The LA code of a statistics request is not the 3-digit DfE code of a live local authority.',
    detail: 'No live local authority has this 3-digit code',
  },
  VAL131: {
    code: 'VAL131',
    id: 'ERROR_INVALID_DATE_RANGE',
    title: 'Invalid date range',
    status: '400',
    when: 'The from date of a statistics request is after its to date, or the range is longer than that request allows.',
    detail: 'from must not be after to, and the range must not be longer than allowed',
  },
  VAL132: {
    code: 'VAL132',
    id: 'ERROR_SUPPLIER_CHANGE_PENDING',
    title: 'Change of supplier awaiting confirmation',
    status: '409',
    when: 'A supplier records consent for a school whose consent another supplier holds: the change of supplier is held until the DfE confirms it with the school.',
    detail:
      "Another supplier holds this school's consent. The change of supplier is recorded and waits for the DfE to confirm it with the school; until then this supplier's submissions for the school are refused",
  },
} as const satisfies Record<string, AttendanceErrorDefinition>;

export type AttendanceErrorCode = keyof typeof ATTENDANCE_ERRORS;

/** Codes that refuse the whole request. */
export type EnvelopeErrorCode = {
  [C in AttendanceErrorCode]: (typeof ATTENDANCE_ERRORS)[C]['status'] extends '' ? never : C;
}[AttendanceErrorCode];

/** Codes reported against one item, with the 201 answer. */
export type RecordErrorCode = Exclude<AttendanceErrorCode, EnvelopeErrorCode>;

/** The body of a refused request (HTTP 400 or 415), exactly as the 2020 API answered. */
export interface EnvelopeError {
  id: string;
  code: EnvelopeErrorCode;
  status: RefusalStatus;
  title: string;
  detail: string;
}

/** One entry of the `errors` of an accepted submission (HTTP 201), exactly as the 2020 API answered. */
export interface RecordError {
  id: string;
  code: RecordErrorCode;
  status: '';
  title: string;
  /** The bad value as sent, as a string (`"-1"`, `"K"`); `""` when it is missing. */
  detail: string;
  /** JSONPath of the bad value: `$.submissionData[0].attendances[10].attendanceCode`. */
  path: string;
}

/** Every code in the table, in code order (for a published list of error codes). */
export function attendanceErrorDefinitions(): AttendanceErrorDefinition[] {
  return Object.values(ATTENDANCE_ERRORS);
}

export function envelopeError(code: EnvelopeErrorCode, detail?: string): EnvelopeError {
  const definition = ATTENDANCE_ERRORS[code];
  // Properties in the order the 2020 API wrote them.
  return {
    id: definition.id,
    code,
    status: definition.status,
    title: definition.title,
    detail: detail ?? definition.detail,
  };
}

/** The error object of a failure on edgate's side, in the contract's format, quoting the request's id. */
export function internalError(requestId: string): {
  id: 'ERROR_INTERNAL';
  code: 'INTERNAL';
  status: '500';
  title: string;
  detail: string;
} {
  return {
    id: 'ERROR_INTERNAL',
    code: 'INTERNAL',
    status: '500',
    title: 'Internal server error',
    detail: `The request could not be completed; quote reference ${requestId}`,
  };
}

export function recordError(code: RecordErrorCode, detail: string, path: string): RecordError {
  const definition = ATTENDANCE_ERRORS[code];
  return { id: definition.id, code, status: definition.status, title: definition.title, detail, path };
}
