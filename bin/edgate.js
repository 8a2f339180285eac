#!/usr/bin/env node
// The edgate command. TypeScript runs through tsx, so there is no build step to forget. In the
// test run's transpiled copy of the project (scripts/test-mirror.ts) the JavaScript beside each
// source runs instead, without tsx's start-up.
import { existsSync } from 'node:fs';

const transpiled = new URL('../src/cli/main.js', import.meta.url);
if (existsSync(transpiled)) {
  await import(transpiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
