/** The scopes of the DfE attendance API. */
export const SCOPES = ['attendance.submit', 'attendance.read', 'attendance.read.la'] as const;
export type Scope = (typeof SCOPES)[number];

/** Read limited to one LA's schools: only for a client registered with an LA code; the token carries `la`. */
export const LA_READ_SCOPE: Scope = 'attendance.read.la';

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
