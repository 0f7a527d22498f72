// Body schemas from the DTO classes handlers take, through class-validator-jsonschema (an optional peer).
import type { JsonSchema } from './handler-contract.js';

/** Where `$ref`s to DTO schemas point: the document's component schemas. */
export const DTO_REF_PREFIX = '#/components/schemas/';

type ToSchemas = (options: { refPointerPrefix: string }) => Record<string, JsonSchema>;

/**
 * The JSON Schema of every class-validator DTO, by class name, with nested DTOs as `$ref`s
 * to the document's components; `null` when class-validator-jsonschema is not installed.
 */
export async function dtoSchemas(): Promise<Record<string, JsonSchema> | null> {
  let converter: { validationMetadatasToSchemas?: ToSchemas; default?: { validationMetadatasToSchemas?: ToSchemas } };
  try {
    converter = (await import('class-validator-jsonschema')) as unknown as typeof converter;
  } catch {
    return null;
  }
  const toSchemas = converter.validationMetadatasToSchemas ?? converter.default?.validationMetadatasToSchemas;
  return toSchemas === undefined ? null : toSchemas({ refPointerPrefix: DTO_REF_PREFIX });
}

/** `root`'s schema and every DTO schema it reaches through `$ref`s, by name. */
export function reachableSchemas(root: string, all: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const found: Record<string, JsonSchema> = {};
  const visit = (name: string) => {
    if (name in found || all[name] === undefined) return;
    found[name] = all[name];
    walk(all[name]);
  };
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (value === null || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith(DTO_REF_PREFIX)) visit(inner.slice(DTO_REF_PREFIX.length));
      else walk(inner);
    }
  };
  visit(root);
  return found;
}
