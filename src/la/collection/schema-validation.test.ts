import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractChunks } from '../../contracts/childcare-extract/extract-writer.ts';
import { generateRegister } from '../../contracts/childcare-extract/synthetic-register.ts';
import { plainMessage, schemaProblem } from './schema-validation.ts';

const TODAY = '2026-11-02';
const extractOf = (laCode: string): string =>
  [
    ...extractChunks(
      { extractDateTime: `${TODAY}T05:30:00`, laCode, laName: `Authority ${laCode}` },
      generateRegister({ scale: 'demo', seed: 3, today: TODAY, laCodes: [laCode] }),
    ),
  ].join('');

test('documents validated together each get their own verdict, with their own line numbers', async () => {
  const valid = extractOf('825');
  // A registration's ReferenceNumber after its ProvisionType: the schema's sequence refuses it.
  const outOfOrder = extractOf('826').replace(
    /(<ReferenceNumber>[^<]*<\/ReferenceNumber>)(\s*)(<ProvisionType>[^<]*<\/ProvisionType>)/,
    '$3$2$1',
  );
  const line = outOfOrder.slice(0, outOfOrder.indexOf('<ProvisionType>')).split('\n').length;
  const badCode = extractOf('825').replace('<ProvisionType>', '<ProvisionType>X');
  // Asked at once: the first runs alone, the others wait and are validated in one run.
  const verdicts = await Promise.all(
    [valid, outOfOrder, valid, badCode].map((xml) => schemaProblem(Buffer.from(xml))),
  );
  assert.equal(verdicts[0], undefined);
  assert.equal(
    verdicts[1],
    `Not valid against Ofsted’s v1.3 schema: line ${line}: Element 'ProvisionType': This element is not expected. Expected is ( ReferenceNumber ).`,
  );
  assert.equal(verdicts[2], undefined);
  assert.match(
    verdicts[3]!,
    /^Not valid against Ofsted’s v1\.3 schema: line \d+: Element 'ProvisionType': \[facet 'enumeration'\]/,
  );
});

test('xmllint’s messages in plain words: line number, no namespaces, no "Schemas validity error"', () => {
  assert.equal(
    plainMessage(
      "doc12.xml:40: Schemas validity error : Element '{http://www.ofsted.gov.uk/x}Postcode': [facet 'maxLength'] The value has a length of '9'.\nmore",
    ),
    "line 40: Element 'Postcode': [facet 'maxLength'] The value has a length of '9'",
  );
});
