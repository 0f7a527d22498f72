// The TypeScript `Api` interface of an endpoint, for the client SDK's connect<Api>(), from its handlers' contracts.
import type { HandlerContract, JsonSchema } from './handler-contract.js';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const REF_PREFIX = '#/components/schemas/';

/** The component schemas `$ref`s point to, and the ones being written out now (a schema is not expanded inside itself). */
interface Refs {
  readonly schemas: Readonly<Record<string, JsonSchema>>;
  readonly expanding: Set<string>;
}

/**
 * TypeScript source declaring `export interface <name>` with one entry per handler: the
 * body it takes (`request`) and the bodies it casts (`response`), as `connect<Api>()` of
 * the client SDK reads them. A JSON body is typed from its schema (`unknown` without
 * one), a bytes body as text; responses from the schemas of the casts it declares.
 */
export function clientTypes(
  handlers: readonly HandlerContract[],
  name: string,
  source = 'the server',
  components: Readonly<Record<string, JsonSchema>> = {},
): string {
  const refs: Refs = { schemas: components, expanding: new Set() };
  if (!IDENTIFIER.test(name)) throw new TypeError(`clientTypes(): "${name}" is not a TypeScript identifier`);
  const lines = [
    `// The contract of ${source} as the client SDK's Api type: connect<${name}>(url).`,
    '// Written by nestjs-message-broadcaster from the server’s handlers: do not edit, generate it again.',
    '',
    `export interface ${name} {`,
  ];
  for (const handler of [...handlers].sort((a, b) => a.handlerId - b.handlerId)) {
    if (handler.summary !== undefined) lines.push(`  /** ${comment(handler.summary)} */`);
    const request = handler.body === 'json' ? (handler.schema === undefined ? 'unknown' : typeOf(handler.schema, 2, refs)) : 'string';
    lines.push(`  ${handler.handlerId}: { request: ${request}; response: ${responseType(handler, 2, refs)} };`);
  }
  lines.push('}', '');
  return lines.join('\n');
}

function responseType(handler: HandlerContract, indent: number, refs: Refs): string {
  const schemas = (handler.responds ?? []).map(({ schema }) => schema);
  if (schemas.length === 0 || schemas.includes(undefined)) return 'unknown';
  return union(schemas.map((schema) => typeOf(schema!, indent, refs)));
}

/** The TypeScript type of the values `schema` allows (what it cannot say is `unknown`). */
function typeOf(schema: JsonSchema, indent: number, refs: Refs): string {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.startsWith(REF_PREFIX) ? schema.$ref.slice(REF_PREFIX.length) : '';
    const target = refs.schemas[name];
    // A schema that refers to itself, directly or not, is not expanded inside itself.
    if (target === undefined || refs.expanding.has(name)) return 'unknown';
    refs.expanding.add(name);
    try {
      return typeOf(target, indent, refs);
    } finally {
      refs.expanding.delete(name);
    }
  }
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return union(schema.enum.map((value) => JSON.stringify(value)));
  for (const key of ['oneOf', 'anyOf'] as const) {
    if (Array.isArray(schema[key])) return union((schema[key] as JsonSchema[]).map((part) => typeOf(part, indent, refs)));
  }
  const type = schema.type;
  if (Array.isArray(type)) return union(type.map((one: unknown) => typeOf({ ...schema, type: one }, indent, refs)));
  switch (type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `Array<${schema.items === undefined ? 'unknown' : typeOf(schema.items as JsonSchema, indent, refs)}>`;
    case 'object':
      return objectType(schema, indent, refs);
    default:
      return 'unknown';
  }
}

function objectType(schema: JsonSchema, indent: number, refs: Refs): string {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const pad = ' '.repeat(indent + 2);
  const members = Object.entries(properties).map(([key, value]) => {
    const name = IDENTIFIER.test(key) ? key : JSON.stringify(key);
    return `${pad}${name}${required.has(key) ? '' : '?'}: ${typeOf(value, indent + 2, refs)};`;
  });
  const extra = schema.additionalProperties;
  if (extra !== undefined && extra !== false) {
    members.push(`${pad}[key: string]: ${extra === true ? 'unknown' : `${typeOf(extra as JsonSchema, indent + 2, refs)} | undefined`};`);
  }
  if (members.length === 0) return 'Record<string, unknown>';
  return `{\n${members.join('\n')}\n${' '.repeat(indent)}}`;
}

function union(types: string[]): string {
  const unique = [...new Set(types)];
  return unique.length === 1 ? unique[0] : unique.map((type) => (type.includes('\n') ? `(${type})` : type)).join(' | ');
}

function comment(text: string): string {
  return text.replace(/\*\//g, '* /').replace(/\s+/g, ' ');
}
