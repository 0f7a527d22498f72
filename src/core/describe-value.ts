// The kind of a value, named for an error message.
/** Names the kind of a value for an error message: `a string`, `an array`, `NaN`… */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? `a ${value.constructor?.name ?? 'plain'} object` : `a ${typeof value}`;
}
