import type { Session } from './session.js';

/** The workspace to open first: `default` when the grants reach it, else the first one granted. */
export function defaultWorkspace(session: Session): string {
  if (session.grants.some((g) => g.workspace === '*' || g.workspace === 'default')) return 'default';
  return session.grants[0]?.workspace ?? 'default';
}

export interface Workspace {
  name: string;
  description?: string;
}
