/** Each collection outcome in plain words, for pages and the CLI. */
import type { AttemptOutcome, SnapshotState } from '../tables.ts';

export const OUTCOME_WORDS: Record<AttemptOutcome | 'claimed-elsewhere', string> = {
  collected: 'collected a new extract',
  'same-as-before': 'collected: the same extract as before',
  'gateway-refused': 'the gateway refused',
  'transport-error': 'could not reach the gateway',
  'invalid-document': 'the extract was not valid and was kept aside',
  'claimed-elsewhere': 'already collected today (or being collected elsewhere)',
};

export const SNAPSHOT_STATE_WORDS: Record<SnapshotState, string> = {
  received: 'Received',
  invalid: 'Not valid: kept aside',
  held: 'Held for a person to decide',
  'taken-in': 'Taken in',
  discarded: 'Discarded',
};
