/**
 * CSV fields as people open them in a spreadsheet (RFC 4180), for every file the app writes (the event log's
 * export, the stocktake template) and the one it reads back (a filled-in stocktake).
 */

/**
 * A leading `-` starts a formula too (`-2+3`, `-cmd|…` in spreadsheets that run DDE), but negative
 * quantities and the lone `-` of the unassigned pool are data that must open as numbers and text.
 */
const PLAIN_NEGATIVE_OR_DASH = /^-(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)?$/;

/** Whether a spreadsheet would run the text as a formula. */
function startsFormula(text: string): boolean {
  return /^[=+@\t\r]/.test(text) || (text.startsWith('-') && !PLAIN_NEGATIVE_OR_DASH.test(text));
}

/**
 * RFC 4180 quoting. A cell that a spreadsheet would run as a formula gets a leading apostrophe (the
 * usual CSV-injection guard); payloads start with `{`, names are subject tokens, so real data is unchanged.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (startsFormula(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A field's text as it was before `csvField` guarded it, so a file the app wrote reads back as written. */
export function unguardedCsvText(text: string): string {
  return text.startsWith("'") && startsFormula(text.slice(1)) ? text.slice(1) : text;
}
