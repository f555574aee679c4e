/** Output for people: a table of rows, or a two-column table of one object's fields. */

const cell = (value: unknown): string => {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
};

export function table(rows: Array<Record<string, unknown>>): string {
  if (rows.length === 0) return '(none)';
  // Nested values (details, objects) go last: the scalar columns stay readable on a terminal.
  const nested = (name: string) => rows.some((row) => typeof row[name] === 'object' && row[name] !== null);
  const all = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const names = [...all.filter((name) => !nested(name)), ...all.filter(nested)];
  const cells = rows.map((row) => names.map((name) => cell(row[name])));
  const widths = names.map((name, index) => Math.max(name.length, ...cells.map((line) => line[index]!.length)));
  const line = (values: string[]) => values.map((value, index) => value.padEnd(widths[index]!)).join('  ').trimEnd();
  return [line(names), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

export function fields(object: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(object).map((key) => key.length));
  return Object.entries(object)
    .map(([key, value]) => `${key.padEnd(width)}  ${cell(value)}`)
    .join('\n');
}

/** A list answer (`items`) as a table, anything else as fields. */
export function human(body: unknown): string {
  if (body === undefined) return 'done';
  if (typeof body !== 'object' || body === null) return String(body);
  const record = body as Record<string, unknown>;
  if (Array.isArray(record.items)) return table(record.items as Array<Record<string, unknown>>);
  return fields(record);
}
