/**
 * The embedded database (PGlite) is one PostgreSQL backend inside one process: two processes
 * opening the same folder would each keep their own copy in memory and overwrite each other's
 * files. So the process that opens it owns the data folder, recorded in a lock file taken
 * atomically (`open(…, 'wx')`) that names the process, its command and when it started, and the
 * local socket it serves the database on, if any (embedded-socket.ts). Another process reads the
 * lock to either work through that socket or refuse, naming the owner. A lock whose process is no
 * longer alive (killed, machine restarted) is taken over, with a message.
 */
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { londonLocalDateTime } from '../calendar.ts';

/** What the lock file records about its owner. */
export interface EmbeddedOwner {
  pid: number;
  /** The command line, e.g. `edgate start`. */
  command: string;
  /** ISO date-time the process took the database. */
  startedAt: string;
  /** The folder holding the socket the owner serves the database on (`.s.PGSQL.5432` inside). */
  socketDir?: string;
}

export type Ownership =
  | {
      kind: 'owned';
      /** The dead process whose lock was taken over, if there was one. */
      tookOverFrom?: EmbeddedOwner;
      release(): void;
    }
  | { kind: 'held'; owner: EmbeddedOwner };

export const LOCK_FILE = 'pglite.lock';

/** True when a process with this id exists (signal 0 only checks; EPERM means it exists). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): EmbeddedOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Partial<EmbeddedOwner>;
    if (!Number.isInteger(owner.pid) || typeof owner.startedAt !== 'string') return undefined;
    return { command: 'edgate', ...owner } as EmbeddedOwner;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Half-written or garbled (a crash while writing it): nobody can be named, so it is stale.
    return { pid: 0, command: 'unknown', startedAt: new Date(0).toISOString() };
  }
}

const sameOwner = (a: EmbeddedOwner | undefined, b: EmbeddedOwner) =>
  a !== undefined && a.pid === b.pid && a.startedAt === b.startedAt;

/**
 * Takes the data folder for `me`, or says who holds it. A stale lock is moved aside under a name
 * of our own before it is removed, so two processes taking over at once cannot both succeed, and
 * neither removes a lock the other has just taken.
 */
export function takeOwnership(
  dataDir: string,
  me: EmbeddedOwner,
  isAlive: (pid: number) => boolean = processIsAlive,
): Ownership {
  const file = path.join(dataDir, LOCK_FILE);
  let tookOverFrom: EmbeddedOwner | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      writeFileSync(file, `${JSON.stringify(me)}\n`, { flag: 'wx', mode: 0o600 });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        if (sameOwner(readOwner(file), me)) unlinkSync(file);
      };
      // A process that exits without closing the database still leaves the folder free.
      process.on('exit', release);
      return { kind: 'owned', tookOverFrom, release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readOwner(file);
    if (holder === undefined) continue; // released meanwhile: try again
    if (holder.pid > 0 && isAlive(holder.pid)) return { kind: 'held', owner: holder };
    const aside = `${file}.stale.${process.pid}`;
    try {
      renameSync(file, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // another took it over first
      throw error;
    }
    if (sameOwner(readOwner(aside), holder) || holder.pid === 0) {
      unlinkSync(aside);
      tookOverFrom = holder;
    } else {
      // A live lock was taken between our read and our rename: put it back, never over another.
      try {
        linkSync(aside, file);
      } finally {
        unlinkSync(aside);
      }
    }
  }
  const holder = readOwner(file);
  if (holder) return { kind: 'held', owner: holder };
  throw new Error(`Could not take ${file}: other processes keep taking and releasing it`);
}

/** Records the socket the owner now serves on, replacing the lock file whole (rename is atomic). */
export function recordSocket(dataDir: string, me: EmbeddedOwner): void {
  const file = path.join(dataDir, LOCK_FILE);
  const next = `${file}.${process.pid}.next`;
  writeFileSync(next, `${JSON.stringify(me)}\n`, { mode: 0o600 });
  renameSync(next, file);
}

/** `09:14` on the same London day as `now`, else `2026-12-06 09:14`. */
export function sinceText(startedAt: string, now: Date): string {
  const parts = (date: Date) => {
    const local = londonLocalDateTime(date);
    return { day: local.slice(0, 10), time: local.slice(11, 16) };
  };
  const then = parts(new Date(startedAt));
  return then.day === parts(now).day ? then.time : `${then.day} ${then.time}`;
}

/** The folder as the operator would type it: relative to where they are when inside it. */
export function folderText(dataDir: string, cwd: string = process.cwd()): string {
  const relative = path.relative(cwd, dataDir);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? `./${relative}` : dataDir;
}

export function ownerText(owner: EmbeddedOwner, now: Date): string {
  return `edgate (process ${owner.pid}, \`${owner.command}\`, since ${sinceText(owner.startedAt, now)})`;
}

/** Why a process may not open the embedded database, and what to do instead. */
export function inUseMessage(dataDir: string, owner: EmbeddedOwner, now: Date, cwd?: string): string {
  return (
    `The embedded database in ${folderText(dataDir, cwd)} is in use by ${ownerText(owner, now)}. ` +
    'Stop it first, or set DATABASE_URL to use PostgreSQL.'
  );
}

export function takeOverMessage(dataDir: string, owner: EmbeddedOwner, now: Date): string {
  return (
    `edgate: the embedded database in ${folderText(dataDir)} was last opened by ${ownerText(owner, now)}, ` +
    'which is no longer running; taking it over.'
  );
}
