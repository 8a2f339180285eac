import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** One occurrence of a scheduled job: its claim, lease, fencing attempt and outcome (claimed-job.ts). */
export interface JobRunTable {
  job_name: string;
  /** The London date of the occurrence, 'YYYY-MM-DD'. */
  occurrence_date: string;
  /** The job's slot, 'HH:MM' London. */
  slot: string;
  due_at: Timestamp;
  status: 'running' | 'succeeded' | 'failed';
  /** Raised by every claim after the first: the holder's fencing token. */
  attempt: ColumnType<number, number | undefined, number>;
  claimed_by: string;
  claimed_until: Timestamp;
  started_at: Timestamp;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  error: string | null;
}
