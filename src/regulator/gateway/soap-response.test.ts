import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registerDataContent, registerDataResponse } from './soap-response.ts';
import { readRegisterData } from './test-signing.ts';

const roundTrip = (document: string) =>
  readRegisterData(
    Buffer.concat(registerDataResponse(registerDataContent(Buffer.from(document)), 'urn:uuid:x')).toString(),
  );

test('RegisterData carries the document as CDATA: its bytes unchanged, read back exactly', () => {
  const document = '<Extract a="x &amp; y">Café &lt;b&gt; ✓ &#13;</Extract>\n';
  assert.equal(registerDataContent(Buffer.from(document)).toString(), `<![CDATA[${document}]]>`);
  assert.equal(roundTrip(document), document);
});

test('"<?" stays outside CDATA: node-soap would read "<?xml …?>" in CDATA as a nested document', () => {
  const document = '<?xml version="1.0" encoding="UTF-8"?>\n<Extract/>';
  assert.equal(
    registerDataContent(Buffer.from(document)).toString(),
    '<![CDATA[]]>&lt;<![CDATA[?xml version="1.0" encoding="UTF-8"?>\n<Extract/>]]>',
  );
  assert.equal(roundTrip(document), document);
});

test('"]]>" and carriage returns, which CDATA cannot carry as they are, still read back exactly', () => {
  for (const document of ['a]]>b', ']]>', 'x]]]>y]]>>', 'line\r\nnext\r', '\r]]>\r<?<?', '', ']]', '<<??']) {
    assert.equal(roundTrip(document), document, JSON.stringify(document));
  }
  assert.equal(
    registerDataContent(Buffer.from('a]]>b\rc')).toString(),
    '<![CDATA[a]]]]><![CDATA[>b]]>&#13;<![CDATA[c]]>',
  );
});

test('large documents are sent in slices that share the content’s memory', () => {
  const content = registerDataContent(Buffer.alloc(200 * 1024, 'x'));
  const chunks = registerDataResponse(content, undefined);
  assert.equal(chunks.length, 2 + Math.ceil(content.length / (64 * 1024)));
  assert.equal(chunks[1]!.buffer, content.buffer);
});
