/** Where to go after signing in: the page asked for, if it is one of this service's own. */

// Parsing against an origin no request can have shows whether a path would leave the service.
const DUMMY_ORIGIN = 'https://edgate.invalid';

/**
 * `next` as a same-origin path, or `fallback`. Refused: anything not a string starting with one
 * `/`; control characters (browsers drop a tab or newline, so `/\t/evil` becomes `//evil`, and a
 * newline cannot go in a Location header); backslashes (browsers read `/\evil` as `//evil`);
 * anything that resolves to another origin or to a protocol-relative `//…` path.
 */
export function safeNext(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || next.length > 2000) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\\]/.test(next)) return fallback;
  if (!/^\/(?!\/)/.test(next)) return fallback;
  let url: URL;
  try {
    url = new URL(next, DUMMY_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== DUMMY_ORIGIN) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments can collapse to `//host` (`/..//evil`): the resolved path must start with one `/` too.
  return /^\/(?![/\\])/.test(path) ? path : fallback;
}
