import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidUpn, makeUpn, upnCheckLetter } from './upn.ts';

test('the check letter is the weighted sum modulo 23, skipping I, O and S', () => {
  // python-stdnum's example: 8×2 + 1×4 + 2×5 + 5×10 + 1×13 = 93 = 4×23 + 1 → B.
  assert.equal(upnCheckLetter('801200005001'), 'B');
  assert.equal(isValidUpn('B801200005001'), true);
  assert.equal(isValidUpn('A801200005001'), false);
  // The census error guidance's example, 207000016049: its products 2×2 + 4×7 + 9×1 + 10×6 +
  // 12×4 + 13×9 add up to 266 (the guidance says 267), and 266 = 11×23 + 13 → P.
  assert.equal(makeUpn(207, 0, 2016, 49), 'P207000016049');
});

test('malformed UPNs are not valid', () => {
  for (const bad of ['', 'Q20700001604', 'Q2070000160490', 'I207000016049', 'q207000016049', 'X80120000A001'])
    assert.equal(isValidUpn(bad), false, bad);
  assert.throws(() => upnCheckLetter('12345'), RangeError);
});
