/**
 * The collector's reading of the gateway's answer: RegisterData sent as CDATA sections (as
 * edgate's gateway writes it) is taken from the envelope's bytes, and must equal what saxes reads
 * the plain way — for every shape a gateway may write, and for damaged envelopes, where both must
 * answer the same or refuse with the same words.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractChunks } from '../src/contracts/childcare-extract/extract-writer.ts';
import { generateRegister } from '../src/contracts/childcare-extract/synthetic-register.ts';
import { seededRandom } from '../src/la/changes/snapshot-mutations.ts';
import {
  readRegisterResponse,
  readRegisterResponseWithSaxes,
  registerDataFromCdata,
} from '../src/la/collection/soap-response.ts';
import { registerDataContent, registerDataResponse } from '../src/regulator/gateway/soap-response.ts';

const TODAY = '2026-11-02';
const document = [
  ...extractChunks(
    { extractDateTime: `${TODAY}T05:30:00`, laCode: '825', laName: 'Buckinghamshire' },
    generateRegister({ scale: 'demo', seed: 5, today: TODAY, laCodes: ['825'] }),
  ),
].join('');

/** The envelope edgate's gateway sends for `text`. */
const gatewayEnvelope = (text: string): Buffer =>
  Buffer.concat(registerDataResponse(registerDataContent(Buffer.from(text, 'utf8')), 'urn:uuid:1'));

/** Either the same answer both ways, or the same refusal. */
function assertSameAsSaxes(body: Buffer, label: string): void {
  const outcome = (read: (b: Buffer) => unknown) => {
    try {
      return { answer: read(body) };
    } catch (error) {
      return { error: `${(error as Error).constructor.name}: ${(error as Error).message}` };
    }
  };
  assert.deepEqual(outcome(readRegisterResponse), outcome(readRegisterResponseWithSaxes), label);
}

describe('reading RegisterData from the envelope’s bytes', () => {
  const shapes: [string, string][] = [
    ['an extract as written', document],
    ['"]]>" in a value', document.replace('</ProviderName>', ']]&gt; and ]]]]&gt;</ProviderName>')],
    ['CRLF line ends', document.replace(/\n/g, '\r\n')],
    ['a processing instruction', document.replace('<Registration>', '<?keep me?><Registration>')],
    ['"utf-16" declared, as .NET holds it', document.replace('encoding="utf-8"', 'encoding="utf-16"')],
    [
      'a byte-order mark and single quotes',
      `\uFEFF${document.replace('encoding="utf-8"', "encoding='UTF-16'")}`,
    ],
    ['characters beyond ASCII', document.replace('</ProviderName>', ' – Ysgol Gymraeg 👶</ProviderName>')],
    ['no declaration', document.replace(/^<\?xml[^>]*>\n?/, '')],
  ];
  for (const [name, text] of shapes) {
    test(`${name}: the bytes, read without saxes, equal saxes’s reading`, () => {
      const body = gatewayEnvelope(text);
      assert.ok(registerDataFromCdata(body), 'read from the bytes');
      assertSameAsSaxes(body, name);
      const answer = readRegisterResponse(body);
      assert.equal(answer.kind, 'result');
      assert.equal(
        answer.kind === 'result' && answer.registerData!.toString('utf8'),
        text.replace(/^(\uFEFF?<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2/, '$1$2utf-8$2'),
      );
    });
  }

  test('shapes the bytes cannot vouch for are read by saxes, to the same answer', () => {
    const body = gatewayEnvelope(document).toString('utf8');
    const escaped = document.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const cases: [string, string][] = [
      [
        'escaped text',
        body.replace(/<RegisterData>.*<\/RegisterData>/s, `<RegisterData>${escaped}</RegisterData>`),
      ],
      ['a raw CR in a section', body.replace('<Registration>', '<Registration>\r')],
      ['white space before the sections', body.replace('<RegisterData>', '<RegisterData> ')],
      ['text after the sections', body.replace('</RegisterData>', 'x</RegisterData>')],
      ['a reference after the sections', body.replace('</RegisterData>', '&lt;</RegisterData>')],
      ['a section in a comment first', body.replace('<s:Body>', '<s:Body><!-- <![CDATA[ -->')],
      [
        'a section in the Status description',
        body.replace('<RegisterData>', '<RegisterData></RegisterData><X><![CDATA[a]]></X><RegisterData>'),
      ],
      ['a control character', body.replace('<Registration>', '<Registration>\u0001')],
      ['a section never closed', body.slice(0, body.indexOf(']]>', body.length - 2000))],
      [
        'RegisterData outside the result',
        body.replace('<GetLocalAuthorityChildcareRegisterResult>', '<Other>'),
      ],
    ];
    for (const [name, text] of cases) {
      const envelope = Buffer.from(text, 'utf8');
      assert.equal(registerDataFromCdata(envelope), undefined, name);
      assertSameAsSaxes(envelope, name);
    }
    // A character split across two sections: valid UTF-8 only once joined.
    const split = gatewayEnvelope(document.replace('</ProviderName>', 'é</ProviderName>'));
    const at = split.indexOf(Buffer.from('é')) + 1;
    const cut = Buffer.concat([split.subarray(0, at), Buffer.from(']]><![CDATA['), split.subarray(at)]);
    assert.equal(registerDataFromCdata(cut), undefined);
    assertSameAsSaxes(cut, 'a character split across sections');
  });

  test('1,000 randomly damaged envelopes: the same answer or the same refusal both ways', () => {
    const small = gatewayEnvelope(
      document.slice(0, 6000) + '</OfstedChildcareRegisterLocalAuthorityExtract>',
    );
    const random = seededRandom(15);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const inserts = [
      '<![CDATA[',
      ']]>',
      '&lt;',
      '&#13;',
      '\r',
      '<!--',
      '-->',
      '<?x?>',
      'é',
      '\u0001',
      ' ',
      '<a>',
      '</RegisterData>',
    ];
    let fromBytes = 0;
    for (let i = 0; i < 1000; i++) {
      let body = small;
      for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
        const at = Math.floor(random() * body.length);
        const what = random();
        if (what < 0.4)
          body = Buffer.concat([body.subarray(0, at), Buffer.from(pick(inserts)), body.subarray(at)]);
        else if (what < 0.7)
          body = Buffer.concat([body.subarray(0, at), body.subarray(at + 1 + Math.floor(random() * 20))]);
        else
          body = Buffer.concat([
            body.subarray(0, at),
            Buffer.from([Math.floor(random() * 256)]),
            body.subarray(at + 1),
          ]);
      }
      if (registerDataFromCdata(body)) fromBytes++;
      assertSameAsSaxes(body, `case ${i}: ${body.toString('latin1')}`);
    }
    assert.ok(fromBytes > 300, `most still read from the bytes (${fromBytes})`);
  });
});
