import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EnvelopeError,
  ISPP_NS,
  SOAP12_NS,
  WSA_NS,
  WSSE_NS,
  namespaceInScope,
  notUnderstoodHeaders,
  parseSoapEnvelope,
} from './soap-envelope.ts';
import type { EnvelopeErrorCode } from './soap-envelope.ts';
import { HOSTILE_SHAPES, hostileEnvelope } from './hostile-envelopes.ts';

/** CPU milliseconds this process used since `started` (not wall time: the machine may be busy). */
const cpuMs = (started: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
};
import {
  ACTION_GET_REGISTER,
  ACTION_GET_SERVICE_STATUS,
  WSA_ANONYMOUS,
  buildGetLocalAuthorityChildcareRegisterRequest,
  buildGetServiceStatusRequest,
} from './test-signing.ts';

const TO = 'https://gateway.example.test/ISPPGateway/ISPPGatewayServices.svc';
const env = (body: string, header = ''): string =>
  `<s:Envelope xmlns:s="${SOAP12_NS}">${header ? `<s:Header>${header}</s:Header>` : ''}<s:Body>${body}</s:Body></s:Envelope>`;

function refused(
  xml: string,
  code: EnvelopeErrorCode,
  limits?: Parameters<typeof parseSoapEnvelope>[1],
): EnvelopeError {
  let caught: unknown;
  try {
    parseSoapEnvelope(xml, limits);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof EnvelopeError, `expected EnvelopeError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  // Safe to show: no stack frames, bounded.
  assert.doesNotMatch(caught.message, /\n\s+at /);
  assert.ok(caught.message.length <= 201);
  return caught;
}

describe('a valid request', () => {
  test('GetLocalAuthorityChildcareRegister: LA code, WS-Addressing headers, Security header', () => {
    const xml = buildGetLocalAuthorityChildcareRegisterRequest('825', {
      to: TO,
      messageId: 'urn:uuid:00000000-0000-4000-8000-000000000825',
      username: 'la-test-825',
      password: 'not-a-real-secret',
    });
    const p = parseSoapEnvelope(xml);
    assert.equal(p.localAuthorityCode, '825');
    assert.equal(p.addressing.action, ACTION_GET_REGISTER);
    assert.equal(p.addressing.to, TO);
    assert.equal(p.addressing.toElement?.wsuId, '_1');
    assert.equal(p.addressing.messageId, 'urn:uuid:00000000-0000-4000-8000-000000000825');
    assert.equal(p.addressing.replyTo, WSA_ANONYMOUS);
    assert.deepEqual(
      { local: p.operation?.local, uri: p.operation?.uri },
      { local: 'GetLocalAuthorityChildcareRegister', uri: ISPP_NS },
    );
    assert.equal(p.security?.uri, WSSE_NS);
    assert.equal(p.securityHeaders.length, 1);
    assert.equal(p.ids.get('_0')?.[0]?.local, 'Timestamp');
    const mu = p.addressing.toElement?.attributes.find((a) => a.local === 'mustUnderstand');
    assert.deepEqual(mu && { uri: mu.uri, value: mu.value }, { uri: SOAP12_NS, value: '1' });
  });

  test('GetServiceStatus: operation, no LA code', () => {
    const p = parseSoapEnvelope(buildGetServiceStatusRequest({ to: TO }));
    assert.equal(p.operation?.local, 'GetServiceStatus');
    assert.equal(p.addressing.action, ACTION_GET_SERVICE_STATUS);
    assert.equal(p.localAuthorityCode, undefined);
  });

  test('whitespace, comments, CDATA and predefined entities are fine; values are trimmed', () => {
    const xml =
      `<?xml version="1.0" encoding="utf-8"?>\n<!-- a client comment -->\n` +
      env(
        `\n  <i:GetLocalAuthorityChildcareRegister xmlns:i="${ISPP_NS}"><i:localAuthorityRequest>` +
          `<i:LocalAuthorityCode> <![CDATA[8]]>&#50;&#x35; </i:LocalAuthorityCode></i:localAuthorityRequest>` +
          `</i:GetLocalAuthorityChildcareRegister>\n`,
        `<a:To xmlns:a="${WSA_NS}">\n https://x.example.test/?a=1&amp;b=&lt;2&gt; \n</a:To>`,
      );
    const p = parseSoapEnvelope(xml);
    assert.equal(p.localAuthorityCode, '825');
    assert.equal(p.addressing.to, 'https://x.example.test/?a=1&b=<2>');
  });

  test('a nil LocalAuthorityCode reads as absent', () => {
    const xml = env(
      `<GetLocalAuthorityChildcareRegister xmlns="${ISPP_NS}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">` +
        `<localAuthorityRequest><LocalAuthorityCode i:nil="true"/></localAuthorityRequest></GetLocalAuthorityChildcareRegister>`,
    );
    assert.equal(parseSoapEnvelope(xml).localAuthorityCode, undefined);
  });

  test('notUnderstoodHeaders lists mustUnderstand headers the endpoint does not know', () => {
    const xml = env(
      '<x/>',
      `<a:To xmlns:a="${WSA_NS}" s:mustUnderstand="1">u</a:To><z:Odd xmlns:z="urn:example:z" s:mustUnderstand="true"/>`,
    );
    const p = parseSoapEnvelope(xml);
    const names = notUnderstoodHeaders(p, new Set([`{${WSA_NS}}To`])).map((h) => h.local);
    assert.deepEqual(names, ['Odd']);
  });
});

describe('hostile XML is refused', () => {
  test('DOCTYPE with an external entity (XXE)', () => {
    const xml =
      `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + env('<x>&xxe;</x>');
    const err = refused(xml, 'doctype');
    assert.doesNotMatch(err.message, /root:/);
  });

  test('billion laughs is refused at the DOCTYPE, before any expansion', () => {
    let dtd = '<!ENTITY lol0 "lol">';
    for (let i = 1; i <= 9; i++) dtd += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
    const started = process.cpuUsage();
    refused(`<!DOCTYPE lolz [${dtd}]>` + env('<x>&lol9;</x>'), 'doctype');
    assert.ok(cpuMs(started) < 500, 'a generous CPU bound: expanding it would take far more');
  });

  test('a DOCTYPE anywhere, even without entities or inside the document', () => {
    refused('<!DOCTYPE Envelope>' + env('<x/>'), 'doctype');
    refused(env('<x><!DOCTYPE y></x>'), 'doctype');
  });

  test('undeclared entities, including names found on Object.prototype', () => {
    refused(env('<x>&xxe;</x>'), 'entity');
    refused(env('<x>&nbsp;</x>'), 'entity');
    refused(env('<x>&constructor;</x>'), 'entity');
    refused(env('<x a="&__proto__;"/>'), 'entity');
  });

  test('too deep', () => {
    refused(env('<d>'.repeat(40) + '</d>'.repeat(40)), 'too-deep');
    // The limit is adjustable: an unsigned request is 5 deep (a signed one 8, in SignedInfo).
    const ok = buildGetLocalAuthorityChildcareRegisterRequest('825', { to: TO });
    assert.ok(parseSoapEnvelope(ok, { maxDepth: 5 }));
    refused(ok, 'too-deep', { maxDepth: 4 });
  });

  test('too many elements (stops early)', () => {
    refused(env('<e/>'.repeat(2001)), 'too-many-elements');
    const started = process.cpuUsage();
    refused(env('<e/>'.repeat(200_000)), 'too-many-elements', { maxLength: 10_000_000 });
    assert.ok(cpuMs(started) < 1000, 'a generous CPU bound: it stops at the limit');
    refused(env('<e/>'.repeat(20)), 'too-many-elements', { maxElements: 10 });
  });

  test('too large', () => {
    refused(env(`<x>${'a'.repeat(1_000_001)}</x>`), 'too-large');
  });

  test('truncated or malformed: the parser’s message, no stack', () => {
    const xml = buildGetLocalAuthorityChildcareRegisterRequest('825', { to: TO });
    const err = refused(xml.slice(0, xml.length - 20), 'malformed');
    assert.match(err.message, /^malformed XML: /);
    refused('', 'malformed');
    refused(env('<x></y>'), 'malformed');
    refused(env('<p:x/>'), 'malformed'); // unbound prefix
    refused(env('<x a="1" a="2"/>'), 'malformed');
    refused(env('<x>&#0;</x>'), 'malformed');
    refused(env('<x/>') + '<second/>', 'malformed');
    refused(`<?xml version="1.1"?>` + env('<x/>'), 'malformed');
  });

  test('processing instructions (SOAP 1.2 forbids them)', () => {
    refused(env('<x><?php echo 1; ?></x>'), 'processing-instruction');
  });

  test('error messages quoting attacker input are bounded', () => {
    refused(env(`<${'p'.repeat(5000)}:x/>`), 'malformed');
  });
});

describe('SOAP version and envelope shape', () => {
  test('a SOAP 1.1 envelope → version-mismatch', () => {
    refused(
      '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><x/></soap:Body></soap:Envelope>',
      'version-mismatch',
    );
  });

  test('not SOAP at all → not-soap', () => {
    refused('<GetServiceStatus xmlns="http://information.gateway.ofsted.gov.uk/ispp"/>', 'not-soap');
    refused('<Envelope><Body/></Envelope>', 'not-soap');
    refused(`<s:Body xmlns:s="${SOAP12_NS}"/>`, 'not-soap');
  });

  test('Envelope must hold an optional Header then one Body', () => {
    const s = `xmlns:s="${SOAP12_NS}"`;
    refused(`<s:Envelope ${s}><s:Header/></s:Envelope>`, 'invalid-envelope');
    refused(`<s:Envelope ${s}><s:Body/><s:Body/></s:Envelope>`, 'invalid-envelope');
    refused(`<s:Envelope ${s}><s:Body/><s:Header/></s:Envelope>`, 'invalid-envelope');
    refused(`<s:Envelope ${s}><x/><s:Body/></s:Envelope>`, 'invalid-envelope');
    refused(`<s:Envelope ${s}>text<s:Body/></s:Envelope>`, 'invalid-envelope');
  });

  test('a WS-Addressing header twice → duplicate-header', () => {
    const to = `<a:To xmlns:a="${WSA_NS}">${TO}</a:To>`;
    refused(env('<x/>', to + to), 'duplicate-header');
  });
});

describe('parsing is linear in the size of the request', () => {
  /** CPU milliseconds of the cheapest of three parses (the least disturbed by other work). */
  const parseCpuMs = (xml: string) =>
    Math.min(
      ...[1, 2, 3].map(() => {
        const start = process.cpuUsage();
        try {
          parseSoapEnvelope(xml);
        } catch (err) {
          if (!(err instanceof EnvelopeError)) throw err;
        }
        const used = process.cpuUsage(start);
        return (used.user + used.system) / 1000;
      }),
    );

  for (const shape of HOSTILE_SHAPES) {
    test(`a 64 KB envelope shaped as ${shape} parses well within 100 ms of CPU`, () => {
      const xml = hostileEnvelope(shape);
      assert.ok(xml.length > 56 * 1024 && xml.length <= 64 * 1024, `${xml.length} characters`);
      // A namespace-declarations envelope took 850 ms when every declaring element copied the
      // bindings it inherited.
      const cpuMs = parseCpuMs(xml);
      assert.ok(cpuMs < 100, `${shape}: ${cpuMs.toFixed(1)} ms of CPU`);
    });
  }

  test('namespace bindings are found through the ancestors, as declared', () => {
    const xml = env('<a:op xmlns:a="urn:a"><b xmlns="urn:d"><c xmlns:a="urn:a2" a:x="1"/></b></a:op>');
    const op = parseSoapEnvelope(xml).operation!.element;
    const b = op.children[0]!;
    const c = b.children[0]!;
    assert.equal(namespaceInScope(c, 'a'), 'urn:a2');
    assert.equal(namespaceInScope(b, 'a'), 'urn:a');
    assert.equal(namespaceInScope(c, ''), 'urn:d');
    assert.equal(namespaceInScope(c, 's'), SOAP12_NS);
    assert.equal(namespaceInScope(op, ''), undefined);
    assert.equal(c.attributes[0]?.uri, 'urn:a2');
  });

  test('an element with the same Id under several names is one target; two elements are two', () => {
    const xml = env(`<a xmlns:u="urn:u" Id="x" u:Id="x"/><b Id="x"/>`);
    const holders = parseSoapEnvelope(xml).ids.get('x')!;
    assert.deepEqual(
      holders.map((h) => h.local),
      ['a', 'b'],
    );
  });
});
