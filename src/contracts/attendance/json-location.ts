/**
 * Where a value is in a received JSON document: a list of property names and array indexes,
 * written out as the JSONPath the 2020 API reported (`$.submissionData[1].ncYearGroup`), and
 * ordered as the document is, so errors can be reported in the order a reader meets them.
 */

export type JsonLocation = readonly (string | number)[];

const PLAIN_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['submissionData', 1, 'ncYearGroup']` → `$.submissionData[1].ncYearGroup`. */
export function jsonPath(location: JsonLocation): string {
  return location
    .map((segment) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (PLAIN_NAME.test(segment)) return `.${segment}`;
      return `['${segment.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}']`;
    })
    .reduce((path, part) => path + part, '$');
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Position of one step among its siblings; a property the document lacks comes after the rest. */
function rank(node: unknown, segment: string | number): number {
  if (Array.isArray(node) && typeof segment === 'number') return segment;
  if (isJsonObject(node) && typeof segment === 'string') {
    // Object.keys keeps the order JSON.parse met the properties in (for non-index names).
    const keys = Object.keys(node);
    const at = keys.indexOf(segment);
    return at === -1 ? keys.length : at;
  }
  return 0;
}

function child(node: unknown, segment: string | number): unknown {
  if (Array.isArray(node) && typeof segment === 'number') return node[segment];
  if (isJsonObject(node) && typeof segment === 'string') return node[segment];
  return undefined;
}

/**
 * Negative when `a` comes before `b` in `document`, positive after, 0 for the same place. A value
 * comes before everything inside it; a missing property counts as the end of its object.
 */
export function compareDocumentOrder(document: unknown, a: JsonLocation, b: JsonLocation): number {
  let node = document;
  for (let depth = 0; depth < a.length && depth < b.length; depth++) {
    const stepA = a[depth];
    const stepB = b[depth];
    if (stepA === undefined || stepB === undefined) break;
    if (stepA === stepB) {
      node = child(node, stepA);
      continue;
    }
    const order = rank(node, stepA) - rank(node, stepB);
    // Two different missing properties: order them by name, so the result does not depend on input order.
    return order !== 0 ? order : String(stepA).localeCompare(String(stepB));
  }
  return a.length - b.length;
}
