/**
 * Problems found while reading an import file, shared by the extract (XML) and CSV readers.
 * A reader collects every problem it can find and then refuses the whole file, so that one
 * round of fixes is enough and no partial import ever happens.
 */

export interface ImportProblem {
  file: string;
  /** 1-based physical line in the file. */
  line: number;
  /** 1-based character column, when the reader knows it (XML syntax errors). */
  column?: number;
  /** The record's reference number, or "record 3" (3rd record) when it has none. */
  record?: string;
  /** Element path (`Provider/ProviderAddress/Postcode`) or CSV column (`provider_postcode`). */
  field?: string;
  message: string;
}

/** Enough to fix a file in one go without drowning in a systematically broken one. */
export const MAX_PROBLEMS = 100;

/** "FILE:LINE: record EY123456, field ProvisionType: unknown provision type 'XYZ' (…)" */
export function formatProblem(p: ImportProblem): string {
  const where = p.column === undefined ? `${p.file}:${p.line}` : `${p.file}:${p.line}:${p.column}`;
  const what: string[] = [];
  if (p.record !== undefined) what.push(p.record.startsWith('record ') ? p.record : `record ${p.record}`);
  if (p.field !== undefined) what.push(`field ${p.field}`);
  return what.length === 0 ? `${where}: ${p.message}` : `${where}: ${what.join(', ')}: ${p.message}`;
}

export class ImportError extends Error {
  readonly problems: ImportProblem[];

  constructor(problems: ImportProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ImportError';
    this.problems = problems;
  }
}

/** Thrown inside a reader to stop at once (problem cap reached, or a fatal problem). */
export class StopReading extends Error {
  constructor() {
    super('stop reading');
    this.name = 'StopReading';
  }
}

/**
 * Collects problems up to MAX_PROBLEMS; the one after that throws StopReading, which the
 * reader catches before calling `toError()`.
 */
export class ProblemCollector {
  private readonly list: ImportProblem[] = [];
  private truncatedAt: { file: string; line: number } | undefined;

  get count(): number {
    return this.list.length;
  }

  add(problem: ImportProblem): void {
    if (this.list.length >= MAX_PROBLEMS) {
      this.truncatedAt = { file: problem.file, line: problem.line };
      throw new StopReading();
    }
    this.list.push(problem);
  }

  /** The problems in file order (stable for equal lines), plus a note if the cap was hit. */
  toError(): ImportError {
    // Array#sort is stable: problems on one line keep the order they were found in.
    const sorted = [...this.list].sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
    if (this.truncatedAt !== undefined) {
      sorted.push({
        ...this.truncatedAt,
        message: `too many problems: stopped reading after the first ${MAX_PROBLEMS}`,
      });
    }
    return new ImportError(sorted);
  }
}
