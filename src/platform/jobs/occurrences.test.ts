import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  jobTimes,
  latestOccurrence,
  mayClaim,
  nextOccurrence,
  occurrenceToCatchUp,
  type Occurrence,
} from './occurrences.ts';

const at = (iso: string) => new Date(iso);
const plain = (o: Occurrence | undefined) =>
  o && { date: o.date, time: o.time, dueAt: o.dueAt.toISOString() };

test('the next occurrence is at the London wall-clock time, in winter and in summer', () => {
  assert.deepEqual(plain(nextOccurrence(['05:30'], at('2026-12-01T00:00:00Z'))), {
    date: '2026-12-01',
    time: '05:30',
    dueAt: '2026-12-01T05:30:00.000Z',
  });
  assert.deepEqual(plain(nextOccurrence(['05:30'], at('2026-07-01T00:00:00Z'))), {
    date: '2026-07-01',
    time: '05:30',
    dueAt: '2026-07-01T04:30:00.000Z',
  });
});

test('with two times a day, the next is the nearer one; exactly at a slot, the next is the one after', () => {
  const times = jobTimes('sync', ['13:30', '08:30']);
  assert.deepEqual(times, ['08:30', '13:30']);
  assert.deepEqual(plain(nextOccurrence(times, at('2026-12-01T09:00:00Z'))), {
    date: '2026-12-01',
    time: '13:30',
    dueAt: '2026-12-01T13:30:00.000Z',
  });
  assert.deepEqual(plain(nextOccurrence(times, at('2026-12-01T13:30:00Z'))), {
    date: '2026-12-02',
    time: '08:30',
    dueAt: '2026-12-02T08:30:00.000Z',
  });
});

test('on the day the clocks go forward, an 01:30 slot (in the missing hour) is due once, at 02:00 BST', () => {
  // 29 March 2026: 01:00 GMT becomes 02:00 BST.
  const first = nextOccurrence(['01:30'], at('2026-03-28T12:00:00Z'));
  assert.deepEqual(plain(first), { date: '2026-03-29', time: '01:30', dueAt: '2026-03-29T01:00:00.000Z' });
  const second = nextOccurrence(['01:30'], first.dueAt);
  assert.deepEqual(plain(second), { date: '2026-03-30', time: '01:30', dueAt: '2026-03-30T00:30:00.000Z' });
  assert.deepEqual(plain(latestOccurrence(['01:30'], at('2026-03-29T12:00:00Z'))), plain(first));
});

test('on the day the clocks go back, an 01:30 slot (which happens twice) is due once, at the first', () => {
  // 25 October 2026: 02:00 BST becomes 01:00 GMT, so 01:30 is both 00:30Z and 01:30Z.
  const first = nextOccurrence(['01:30'], at('2026-10-24T12:00:00Z'));
  assert.deepEqual(plain(first), { date: '2026-10-25', time: '01:30', dueAt: '2026-10-25T00:30:00.000Z' });
  assert.deepEqual(plain(nextOccurrence(['01:30'], first.dueAt)), {
    date: '2026-10-26',
    time: '01:30',
    dueAt: '2026-10-26T01:30:00.000Z',
  });
  assert.deepEqual(
    plain(latestOccurrence(['01:30'], at('2026-10-25T01:45:00Z'))),
    plain(first),
    'the second 01:30 is not an occurrence of its own',
  );
});

test('the latest occurrence includes one due exactly now, and reaches back to yesterday before the first slot', () => {
  const times = ['08:30', '13:30'];
  assert.deepEqual(plain(latestOccurrence(times, at('2026-12-01T08:30:00Z'))), {
    date: '2026-12-01',
    time: '08:30',
    dueAt: '2026-12-01T08:30:00.000Z',
  });
  assert.deepEqual(plain(latestOccurrence(times, at('2026-12-01T08:29:59Z'))), {
    date: '2026-11-30',
    time: '13:30',
    dueAt: '2026-11-30T13:30:00.000Z',
  });
});

test('after downtime only the most recent missed occurrence is caught up; same-day jobs only today’s', () => {
  const times = ['08:30', '13:30'];
  // Down for two days: of the four missed occurrences, only the last.
  assert.deepEqual(plain(occurrenceToCatchUp(times, at('2026-12-03T14:00:00Z'), 'latest')), {
    date: '2026-12-03',
    time: '13:30',
    dueAt: '2026-12-03T13:30:00.000Z',
  });
  // Started before today's first slot: yesterday's last is the latest, but not for a same-day job.
  assert.equal(occurrenceToCatchUp(['05:30'], at('2026-12-03T05:29:00Z'), 'same-day'), undefined);
  assert.equal(occurrenceToCatchUp(['05:30'], at('2026-12-03T05:29:00Z'), 'latest')?.date, '2026-12-02');
  // In summer 05:30 London is 04:30 UTC.
  assert.equal(occurrenceToCatchUp(['05:30'], at('2026-07-01T04:31:00Z'), 'same-day')?.date, '2026-07-01');
  assert.equal(occurrenceToCatchUp(['05:30'], at('2026-07-01T04:29:00Z'), 'same-day'), undefined);
});

test('a claim is taken over only when its lease has run out; a failure only when retrying; a success never', () => {
  const now = at('2026-12-01T10:00:00Z');
  assert.equal(mayClaim(undefined, now, false), true);
  assert.equal(mayClaim({ status: 'running', claimedUntil: at('2026-12-01T10:00:01Z') }, now, true), false);
  assert.equal(mayClaim({ status: 'running', claimedUntil: at('2026-12-01T10:00:00Z') }, now, false), true);
  assert.equal(mayClaim({ status: 'failed', claimedUntil: at('2026-12-01T11:00:00Z') }, now, false), false);
  assert.equal(mayClaim({ status: 'failed', claimedUntil: at('2026-12-01T11:00:00Z') }, now, true), true);
  assert.equal(mayClaim({ status: 'succeeded', claimedUntil: at('2026-12-01T09:00:00Z') }, now, true), false);
});

test('times that are not HH:MM, or none, are refused naming the job', () => {
  assert.throws(() => jobTimes('collect', ['5:30am']), /collect: time must be HH:MM/);
  assert.throws(() => jobTimes('collect', ['24:00']), /collect: time must be HH:MM/);
  assert.throws(() => jobTimes('collect', []), /collect: a job needs at least one time/);
});
