// JSON values written as block-style YAML (for the contract document), keys in their order.

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

// A string is written plain only when YAML could not read it as anything else.
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_ ./()'-]*$/;
const LOOKS_TYPED = /^(true|false|null|yes|no|on|off|~)$/i;

/** `value` (JSON data) as a YAML 1.2 document; reading it back gives the same data. */
export function toYaml(value: unknown): string {
  return `${block(value as Json, 0).replace(/^\n/, '')}\n`;
}

function block(value: Json, indent: number): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []';
    return value.map((item: Json) => `\n${pad}-${isCollection(item) && !isEmpty(item) ? nested(item, indent + 2) : ` ${scalar(item)}`}`).join('');
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, Json>);
    if (entries.length === 0) return ' {}';
    return entries.map(([key, item]) => `\n${pad}${scalar(key)}:${isCollection(item) ? block(item, indent + 2) : ` ${scalar(item)}`}`).join('');
  }
  return ` ${scalar(value)}`;
}

/** A collection inside a list item: its first line goes on the dash's line. */
function nested(item: Json, indent: number): string {
  return ` ${block(item, indent).replace(/^\n\s*/, '')}`;
}

function isCollection(value: Json): value is readonly Json[] | { readonly [key: string]: Json } {
  return value !== null && typeof value === 'object';
}

function isEmpty(value: Json): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value as object).length === 0;
}

function scalar(value: Json): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (typeof value === 'string') return PLAIN.test(value) && !LOOKS_TYPED.test(value) && !value.endsWith(' ') ? value : JSON.stringify(value);
  return JSON.stringify(value);
}
