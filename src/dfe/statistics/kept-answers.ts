/**
 * Answers kept for a short time, by key: the first asker's query is shared by everyone who asks
 * the same question while it runs and for `keepMs` after it started. A failed query is forgotten
 * at once, so the next asker tries again. At most `entries` answers are kept, the oldest dropped
 * first.
 */
export interface KeptAnswersOptions {
  /** 0 keeps nothing: every ask runs. */
  keepMs: number;
  entries?: number;
  /** Milliseconds, for tests; defaults to the monotonic clock. */
  clock?: () => number;
}

export class KeptAnswers {
  private readonly keepMs: number;
  private readonly entries: number;
  private readonly clock: () => number;
  private readonly answers = new Map<string, { at: number; answer: Promise<unknown> }>();

  constructor(options: KeptAnswersOptions) {
    this.keepMs = options.keepMs;
    this.entries = options.entries ?? 64;
    this.clock = options.clock ?? (() => performance.now());
  }

  answer<T>(key: string, ask: () => Promise<T>): Promise<T> {
    if (this.keepMs <= 0) return ask();
    const now = this.clock();
    const kept = this.answers.get(key);
    // Stored under this key by this method, so it is a Promise<T>.
    if (kept && now - kept.at < this.keepMs) return kept.answer as Promise<T>;
    const answer = ask();
    answer.catch(() => {
      if (this.answers.get(key)?.answer === answer) this.answers.delete(key);
    });
    this.answers.delete(key);
    this.answers.set(key, { at: now, answer });
    // A Map iterates in insertion order: the first key is the oldest answer.
    const oldest = this.answers.keys().next();
    if (this.answers.size > this.entries && !oldest.done) this.answers.delete(oldest.value);
    return answer;
  }

  get size(): number {
    return this.answers.size;
  }
}
