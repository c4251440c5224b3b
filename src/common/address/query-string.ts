/**
 * How an address's query string becomes search values and back (docs/architecture.md#addresses). Every value
 * is a plain string in both directions: the router's default reads `?warehouse=46` as the number 46 and writes
 * it back as `%2246%22`, and a warehouse or product name is a name, whatever it looks like.
 */
export function parseQueryString(query: string): Record<string, string> {
  const values: Record<string, string> = {};
  // The first of a repeated name wins, as it does for URLSearchParams.get.
  for (const [name, value] of new URLSearchParams(query)) if (!(name in values)) values[name] = value;
  return values;
}

/** Leaves out what is unset or empty, so that an address holds only what the page shows. */
export function stringifyQueryString(values: Readonly<Record<string, unknown>>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string' && value !== '') params.set(name, value);
    else if (typeof value === 'number' && Number.isFinite(value)) params.set(name, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
