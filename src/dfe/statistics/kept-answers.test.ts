import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeptAnswers } from './kept-answers.ts';

describe('kept answers', () => {
  test('the same question within the time shares one query; after it, the question is asked again', async () => {
    let now = 0;
    let asked = 0;
    const kept = new KeptAnswers({ keepMs: 5000, clock: () => now });
    const ask = async () => ++asked;
    const [a, b] = await Promise.all([kept.answer('k', ask), kept.answer('k', ask)]);
    assert.deepEqual([a, b, asked], [1, 1, 1]);
    now = 4999;
    assert.equal(await kept.answer('k', ask), 1);
    assert.equal(await kept.answer('other', ask), 2, 'another key is another question');
    now = 5000;
    assert.equal(await kept.answer('k', ask), 3);
  });

  test('a failed query is forgotten, so the next asker tries again', async () => {
    let fail = true;
    const kept = new KeptAnswers({ keepMs: 5000, clock: () => 0 });
    const ask = async () => {
      if (fail) throw new Error('database unavailable');
      return 'figures';
    };
    await assert.rejects(kept.answer('k', ask), /unavailable/);
    fail = false;
    assert.equal(await kept.answer('k', ask), 'figures');
  });

  test('at most the given number of answers are kept, the oldest dropped first', async () => {
    let asked = 0;
    const kept = new KeptAnswers({ keepMs: 5000, entries: 2, clock: () => 0 });
    const ask = async () => ++asked;
    await kept.answer('a', ask);
    await kept.answer('b', ask);
    await kept.answer('c', ask);
    assert.equal(kept.size, 2);
    assert.equal(await kept.answer('c', ask), 3, 'c is kept');
    assert.equal(await kept.answer('a', ask), 4, 'a was dropped');
  });

  test('keeping for 0 ms asks every time', async () => {
    let asked = 0;
    const kept = new KeptAnswers({ keepMs: 0 });
    await kept.answer('k', async () => ++asked);
    await kept.answer('k', async () => ++asked);
    assert.equal(asked, 2);
    assert.equal(kept.size, 0);
  });
});
