import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { csvDocument, csvField } from './statistics-csv.ts';

describe('CSV fields', () => {
  test('plain text and numbers are written as they are; null is empty', () => {
    assert.equal(csvField('Buckinghamshire'), 'Buckinghamshire');
    assert.equal(csvField(94.21), '94.21');
    assert.equal(csvField(0), '0');
    assert.equal(csvField(null), '');
  });

  test('commas, quotes, line breaks and surrounding space are quoted, quotes doubled', () => {
    assert.equal(csvField('Bath, and North East'), '"Bath, and North East"');
    assert.equal(csvField('The "Old" School'), '"The ""Old"" School"');
    assert.equal(csvField('line\nbreak'), '"line\nbreak"');
    assert.equal(csvField('cr\rhere'), '"cr\rhere"');
    assert.equal(csvField(' padded'), '" padded"');
    assert.equal(csvField('padded '), '"padded "');
  });

  test('text that a spreadsheet would run as a formula is prefixed with a single quote', () => {
    assert.equal(csvField('=HYPERLINK("http://x","y")'), '"\'=HYPERLINK(""http://x"",""y"")"');
    assert.equal(csvField('+44 1234'), "'+44 1234");
    assert.equal(csvField('-2+3'), "'-2+3");
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField('\t=1'), "'\t=1");
    assert.equal(csvField('a=b'), 'a=b', 'only a leading character counts');
    assert.equal(csvField(-1), '-1', 'numbers are numbers, not text');
  });

  test('a number that is not finite is refused rather than written as NaN', () => {
    assert.throws(() => csvField(Number.NaN), RangeError);
    assert.throws(() => csvField(Number.POSITIVE_INFINITY), RangeError);
  });
});

describe('CSV documents', () => {
  test('a byte order mark, the header, then rows, each line ended by CRLF', () => {
    const text = csvDocument(
      ['urn', 'name', 'rate'],
      [
        [100001, 'St Mary’s, Example', 94.5],
        [100002, '=cmd', null],
      ],
    );
    assert.equal(text, '\uFEFFurn,name,rate\r\n100001,"St Mary’s, Example",94.5\r\n100002,\'=cmd,\r\n');
  });

  test('a row with the wrong number of cells is a programming error', () => {
    assert.throws(() => csvDocument(['a', 'b'], [[1]]), RangeError);
  });
});
