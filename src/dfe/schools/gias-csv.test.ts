import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ImportError } from '../../platform/files/import-problem.ts';
import { readGiasCsv } from './gias-csv.ts';

const HEADER =
  'URN,LA (code),LA (name),EstablishmentName,TypeOfEstablishment (name),EstablishmentStatus (name),PhaseOfEducation (name),Street,Town,Postcode';
const row = (urn: string, la: string, name: string) =>
  `${urn},${la},Somewhere,"${name}",Academy converter,Open,Primary,1 High Street,Ashford,ZA1 1AA`;

function problemsOf(text: string) {
  try {
    readGiasCsv(Buffer.from(text, 'utf8'), 'gias.csv');
  } catch (err) {
    assert.ok(err instanceof ImportError);
    return err.problems;
  }
  assert.fail('expected ImportError');
}

describe('readGiasCsv', () => {
  it('reads UTF-8 with a BOM, CRLF lines and extra columns', () => {
    const text = `\uFEFF${HEADER}\r\n${row('100001', '201', "Saint Ælfric's Hôtel School")}\r\n`;
    const [school, ...rest] = readGiasCsv(Buffer.from(text, 'utf8'), 'gias.csv');
    assert.equal(rest.length, 0);
    assert.deepEqual(school, {
      urn: 100001,
      name: "Saint Ælfric's Hôtel School",
      laCode: '201',
      typeOfEstablishment: 'Academy converter',
      phaseOfEducation: 'Primary',
      status: 'Open',
      street: '1 High Street',
      town: 'Ashford',
      postcode: 'ZA1 1AA',
    });
  });

  it('reads Windows-1252 bytes', () => {
    const text = `${HEADER}\r\n${row('100002', '201', 'Saint Ælfric’s Hôtel School')}\r\n`;
    // Æ=0xC6, ’=0x92, ô=0xF4 in Windows-1252; not valid UTF-8.
    const bytes = Buffer.from([...text].map((c) => ({ Æ: 0xc6, '’': 0x92, ô: 0xf4 })[c] ?? c.charCodeAt(0)));
    assert.equal(readGiasCsv(bytes, 'gias.csv')[0]?.name, 'Saint Ælfric’s Hôtel School');
  });

  it('keeps empty address parts as null', () => {
    const text = `${HEADER}\n100003,201,x,Name,Community school,Open,Primary,,,\n`;
    const [school] = readGiasCsv(Buffer.from(text), 'f.csv');
    assert.deepEqual([school?.street, school?.town, school?.postcode], [null, null, null]);
  });

  it('reports missing required columns on the header line', () => {
    const problems = problemsOf('URN,EstablishmentName,Street\n100001,A,B\n');
    assert.deepEqual(
      problems.map((p) => [p.line, p.field]),
      [
        [1, 'LA (code)'],
        [1, 'TypeOfEstablishment (name)'],
        [1, 'PhaseOfEducation (name)'],
        [1, 'EstablishmentStatus (name)'],
        [1, 'Town'],
        [1, 'Postcode'],
      ],
    );
  });

  it('reports every bad row with its line, URN and column, and imports nothing', () => {
    const text = [
      HEADER,
      row('100001', '201', 'Good'),
      row('12345', '201', 'Short URN'),
      row('100004', '999', 'Dead LA'),
      row('100005', '20', 'Two-digit LA'),
      row('100001', '201', 'Duplicate'),
      '"100006",201,x,"Multi\nline",Community school,Open,Primary,,,',
      row('100007', '201', ''),
    ].join('\n');
    const problems = problemsOf(text);
    assert.deepEqual(
      problems.map((p) => [p.line, p.record, p.field]),
      [
        [3, '12345', 'URN'],
        [4, '100004', 'LA (code)'],
        [5, '100005', 'LA (code)'],
        [6, '100001', 'URN'],
        [9, '100007', 'EstablishmentName'],
      ],
    );
    assert.match(problems[3]!.message, /already on line 2/);
    assert.match(new ImportError(problems).message, /^gias\.csv:3: record 12345, field URN: /);
  });

  it('names a row without URN by its record number', () => {
    const problems = problemsOf(`${HEADER}\n${row('', '201', 'No URN')}\n`);
    assert.deepEqual([problems[0]?.line, problems[0]?.record], [2, 'record 1']);
  });

  it('refuses an empty file', () => {
    assert.equal(problemsOf('')[0]?.line, 1);
  });
});
