import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nestsDeeperThan } from './nesting-depth.ts';

const depth3 =
  '<?xml version="1.0"?><!-- <x><x><x><x> --><a><b c="<d><e>" f=\'>\'><c/><c><![CDATA[<x><x><x>]]></c></b></a>';

test('counts what a parser opens: not comments, CDATA, attribute values or empty elements', () => {
  assert.equal(nestsDeeperThan(Buffer.from(depth3), 3), false);
  assert.equal(nestsDeeperThan(Buffer.from(depth3), 2), true);
});

test('100,000 nested elements are found at once (linear), where saxes would take minutes', () => {
  const deep = Buffer.from(`${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`);
  const started = process.cpuUsage();
  assert.equal(nestsDeeperThan(deep, 32), true);
  assert.equal(nestsDeeperThan(Buffer.from(`<r>${'<a></a>'.repeat(100_000)}</r>`), 32), false);
  const used = process.cpuUsage(started);
  assert.ok(used.user + used.system < 2_000_000, 'well under 2 s of CPU');
});
