import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outcomeInWords } from './audit-words.ts';

test('a gateway outcome in plain words, whatever code the audit keeps', () => {
  assert.equal(outcomeInWords('Success'), 'Collected');
  assert.equal(outcomeInWords('refused:unknown-api-key'), 'Refused: the API key is not one edgate issued');
  assert.equal(outcomeInWords('refused:http-415'), 'Refused: the wrong content type');
  assert.equal(outcomeInWords('refused:http-418'), 'Refused: the gateway answered HTTP 418');
  assert.equal(outcomeInWords('refused:FailedAuthentication'), 'Refused: the username or password was wrong');
  assert.equal(
    outcomeInWords('LocalAuthorityAccessInvalid'),
    'Refused: not authorised for this local authority',
  );
  // A code added later still reads as words, not as a code.
  assert.equal(outcomeInWords('refused:some-new-reason'), 'Refused: some new reason');
  assert.equal(outcomeInWords('SomethingNew'), 'Something new');
});
