import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dateErrorLink, dateInputParams, readDateInput } from './date-input.ts';

const parts = (day: string, month: string, year: string) => ({
  'when-day': day,
  'when-month': month,
  'when-year': year,
});

describe('the GOV.UK date input', () => {
  test('day, month and year make an ISO date; a month may be a name', () => {
    assert.equal(readDateInput(parts('7', '12', '2026'), 'when', { label: 'Date' }).date, '2026-12-07');
    assert.equal(readDateInput(parts(' 07 ', 'Dec', '2026'), 'when', { label: 'Date' }).date, '2026-12-07');
    assert.equal(readDateInput(parts('1', 'february', '2027'), 'when', { label: 'Date' }).date, '2027-02-01');
  });

  test('a bare YYYY-MM-DD is accepted too, for links and bookmarks', () => {
    const value = readDateInput({ when: '2026-12-07' }, 'when', { label: 'Date' });
    assert.equal(value.date, '2026-12-07');
    assert.deepEqual(value.parts, { day: '7', month: '12', year: '2026' });
    const bad = readDateInput({ when: '2026-02-30' }, 'when', { label: 'Date' });
    assert.equal(bad.error?.message, 'Date must be a real date');
  });

  test('what is missing is named, and only those parts are marked', () => {
    const noMonth = readDateInput(parts('7', '', '2026'), 'when', { label: 'Date' });
    assert.deepEqual(noMonth.error, { message: 'Date must include a month', parts: ['month'] });
    const two = readDateInput(parts('', '', '2026'), 'when', { label: 'Date' });
    assert.deepEqual(two.error, { message: 'Date must include a day and month', parts: ['day', 'month'] });
    const params = dateInputParams('when', noMonth, { legend: 'Date' });
    assert.deepEqual(
      params.items.map((i) => i.classes.includes('govuk-input--error')),
      [false, true, false],
    );
    assert.equal(params.errorMessage?.text, 'Date must include a month');
    assert.deepEqual(dateErrorLink('when', noMonth.error!), {
      text: 'Date must include a month',
      href: '#when-month',
    });
  });

  test('a date that does not exist, or a short year, is refused in plain words', () => {
    assert.deepEqual(readDateInput(parts('31', '4', '2026'), 'when', { label: 'Date' }).error, {
      message: 'Date must be a real date',
      parts: ['day'],
    });
    assert.deepEqual(readDateInput(parts('3', '13', '2026'), 'when', { label: 'Date' }).error, {
      message: 'Date must be a real date',
      parts: ['month'],
    });
    assert.equal(
      readDateInput(parts('3', '1', '26'), 'when', { label: 'Date' }).error?.message,
      'Year must include 4 numbers',
    );
  });

  test('empty is no date, or "Enter …" when the date is required', () => {
    assert.deepEqual(readDateInput({}, 'when', { label: 'Date' }), {
      parts: { day: '', month: '', year: '' },
      given: false,
    });
    assert.equal(
      readDateInput({}, 'when', { label: 'Last day of the suspension', required: true }).error?.message,
      'Enter the last day of the suspension',
    );
  });

  test('the page’s rule about today is said the GOV.UK way', () => {
    const rule = { label: 'Date', today: '2026-12-07', notAfterToday: true };
    assert.equal(readDateInput(parts('7', '12', '2026'), 'when', rule).date, '2026-12-07');
    assert.equal(
      readDateInput(parts('8', '12', '2026'), 'when', rule).error?.message,
      'Date must be today or in the past',
    );
    const future = { label: 'End date', today: '2026-12-07', afterToday: true };
    assert.equal(
      readDateInput(parts('7', '12', '2026'), 'when', future).error?.message,
      'End date must be in the future',
    );
  });
});
