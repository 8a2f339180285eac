import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { declaresBody, discardRest, unreadBodyPlan } from './unread-body.ts';

const limits = { bytes: 1000, ms: 60_000 };

describe('a body left unread by an early answer', () => {
  test('a body is declared by a length above 0 or by chunked coding', () => {
    assert.equal(declaresBody({}), false);
    assert.equal(declaresBody({ 'content-length': '0' }), false);
    assert.equal(declaresBody({ 'content-length': '12' }), true);
    assert.equal(declaresBody({ 'transfer-encoding': 'chunked' }), true);
    assert.equal(declaresBody({ 'content-length': 'nonsense' }), false);
  });

  test('drained behind the answer; first when the client asked to close; not waited for past the bound', () => {
    assert.equal(unreadBodyPlan({ 'content-length': '1000' }, limits), 'drain');
    assert.equal(unreadBodyPlan({ 'transfer-encoding': 'chunked' }, limits), 'drain');
    assert.equal(unreadBodyPlan({ 'content-length': '10', connection: 'close' }, limits), 'drain-first');
    assert.equal(unreadBodyPlan({ 'content-length': '10', connection: 'Keep-Alive' }, limits), 'drain');
    assert.equal(unreadBodyPlan({ 'content-length': '1001' }, limits), 'close');
  });

  const fakeRequest = () => {
    const stream = new PassThrough();
    let destroyed = false;
    Object.assign(stream, { socket: { destroy: () => (destroyed = true) } });
    return { raw: stream as unknown as IncomingMessage, stream, wasDropped: () => destroyed };
  };

  test('the rest of a body within the bound is read to its end and the connection kept', async () => {
    const { raw, stream, wasDropped } = fakeRequest();
    const done = discardRest(raw, limits);
    stream.write(Buffer.alloc(600));
    stream.end(Buffer.alloc(400));
    await done;
    assert.equal(wasDropped(), false);
  });

  test('past the byte bound the connection is dropped', async () => {
    const { raw, stream, wasDropped } = fakeRequest();
    const done = discardRest(raw, limits);
    stream.write(Buffer.alloc(600));
    stream.write(Buffer.alloc(600));
    await done;
    assert.equal(wasDropped(), true);
  });

  test('past the time bound the connection is dropped', async () => {
    const { raw, stream, wasDropped } = fakeRequest();
    stream.write(Buffer.alloc(10));
    await discardRest(raw, { bytes: 1000, ms: 1 });
    assert.equal(wasDropped(), true);
  });
});
