/**
 * The public start page (`/`): what edgate is, its two feeds as a picture, and for each role this
 * instance serves its pages, its documents and, on a local demo instance, the demo sign-ins by
 * name (never a password: those are printed at start and kept in the data folder).
 */
import path from 'node:path';
import type { StartPageView } from '../platform/web/shell.ts';
import type { AnyRoleModule } from '../edgate.ts';

export interface StartPageOptions {
  /** The roles served, by module name. */
  roles: readonly string[];
  /** A local demo instance (`edgate start`): its demo sign-ins are named, with where to find their passwords. */
  demoCredentialsFile?: string;
}

export function startPageView(modules: readonly AnyRoleModule[], options: StartPageOptions): StartPageView {
  const served = modules.filter((m) => options.roles.includes(m.name));
  return {
    template: 'cli/views/start-page.njk',
    context: {
      roles: served.map((m) => ({
        name: m.name,
        title: m.title.split(':')[0],
        ...m.startPage,
        demoAccounts: options.demoCredentialsFile ? (m.startPage?.demoAccounts ?? []) : [],
      })),
      demo: options.demoCredentialsFile !== undefined,
      credentialsFile:
        options.demoCredentialsFile && path.relative(process.cwd(), options.demoCredentialsFile),
    },
  };
}
