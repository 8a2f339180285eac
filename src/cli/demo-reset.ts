/**
 * `edgate demo reset`: empties the embedded database of the data folder (and its demo sign-ins),
 * so the next `edgate start` seeds the demo world again. Refused while a process owns the folder
 * (a running server would keep writing), and never on PostgreSQL. Asks first unless `--yes`.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Config } from '../platform/config.ts';
import { UsageError } from '../platform/cli/command.ts';
import { folderText, inUseMessage, takeOwnership } from '../platform/db/embedded-owner.ts';
import { DatabaseInUseError } from './database.ts';
import { DEMO_CREDENTIALS_FILE } from './demo-world.ts';

export interface ResetIo {
  /** The answer to the question, or undefined when nobody can answer (no terminal). */
  ask(question: string): Promise<string | undefined>;
  say(line: string): void;
}

const terminal: ResetIo = {
  async ask(question) {
    if (!process.stdin.isTTY) return undefined;
    const reader = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return await reader.question(question);
    } finally {
      reader.close();
    }
  },
  say: (line) => console.log(line),
};

export async function resetDemo(config: Config, yes: boolean, io: ResetIo = terminal): Promise<number> {
  if (config.databaseUrl)
    throw new UsageError(
      'edgate demo reset empties the embedded database of the data folder; DATABASE_URL is set, so there is none to empty. Drop and create the PostgreSQL database yourself.',
    );
  const database = path.join(config.dataDir, 'pglite');
  if (!existsSync(database)) {
    io.say(`There is no database in ${folderText(config.dataDir)}: the next start seeds the demo world.`);
    return 0;
  }
  const ownership = takeOwnership(config.dataDir, {
    pid: process.pid,
    command: 'edgate demo reset',
    startedAt: new Date().toISOString(),
  });
  if (ownership.kind === 'held')
    throw new DatabaseInUseError(
      `${inUseMessage(config.dataDir, ownership.owner, new Date())}\nStop it first: demo reset empties the database it is using.`,
    );
  try {
    if (!yes) {
      const answer = await io.ask(
        `This deletes everything in the database of ${folderText(config.dataDir)}: registrations, extracts, directories, schools, submissions and accounts. Type yes to go on: `,
      );
      if (answer === undefined)
        throw new UsageError('edgate demo reset asks before deleting: answer in a terminal, or add --yes.');
      if (answer.trim().toLowerCase() !== 'yes') {
        io.say('Nothing was deleted.');
        return 1;
      }
    }
    rmSync(database, { recursive: true, force: true });
    rmSync(path.join(config.dataDir, DEMO_CREDENTIALS_FILE), { force: true });
    io.say(
      `Emptied the database of ${folderText(config.dataDir)}. The next edgate start (npm start) seeds the demo world again.`,
    );
    return 0;
  } finally {
    ownership.release();
  }
}
