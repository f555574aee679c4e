import fc from 'fast-check';
import * as z from 'zod/mini';

/**
 * fast-check arbitraries derived from the service's zod schemas, through zod's own JSON Schema
 * export (input side), so that a schema change changes what the fuzzer sends. Only the subset of
 * JSON Schema that the schemas in shared/schemas/ produce is understood; anything else becomes an
 * arbitrary JSON value.
 */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
}

export function jsonSchemaOf(schema: z.ZodMiniType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/**
 * Overrides by property name: the fuzzer puts real identifiers (customers, SLCs, installations,
 * GUIDs) where the schema only says "a string", so that generated requests reach past the lookups.
 */
export type Overrides = Record<string, fc.Arbitrary<unknown>>;

/** Arrays in generated bodies stay small; the oversize mutations test the bounds themselves. */
const GENERATED_ARRAY_CAP = 4;

const isoDate = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));
const isoDateTime = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString());
const emailAddress = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,10}([._+-][a-z0-9]{1,5})?$/), fc.stringMatching(/^[a-z][a-z0-9-]{0,9}$/), fc.constantFrom('example', 'example.org'))
  .map(([local, host, domain]) => `${local}@${host}.${domain}`);

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  switch (schema.format) {
    case 'uuid':
      return fc.uuid({ version: 4 });
    case 'email':
      return emailAddress;
    case 'ipv4':
      return fc.ipV4();
    case 'ipv6':
      return fc.ipV6();
    case 'date':
      return isoDate;
    case 'date-time':
      return isoDateTime;
  }
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 40, 64);
  if (schema.pattern) {
    return fc.stringMatching(new RegExp(schema.pattern)).filter((value) => value.length >= minLength && value.length <= (schema.maxLength ?? Infinity));
  }
  // Any Unicode some of the time; the length bound counts UTF-16 code units, so cut to it (which can
  // leave a lone surrogate at the end: worth sending too).
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.string({ minLength, maxLength, unit: 'grapheme-ascii' }) },
      { weight: 1, arbitrary: fc.string({ minLength, maxLength, unit: 'grapheme' }) },
      { weight: 1, arbitrary: fc.string({ minLength, maxLength, unit: 'binary' }) },
    )
    .map((value) => value.slice(0, schema.maxLength ?? maxLength));
}

function numberArbitrary(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? -1_000_000;
  const max = schema.maximum ?? 1_000_000;
  if (integer) {
    // Small values most of the time (they fit real entitlements), the bounds some of the time.
    return fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min, max: Math.min(max, min + 12) }) },
      { weight: 1, arbitrary: fc.integer({ min, max }) },
      { weight: 1, arbitrary: fc.constantFrom(min, max) },
    );
  }
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/** An arbitrary of values that the schema accepts (nearly always; patterns and refinements aside). */
export function arbitraryOf(schema: JsonSchema, overrides: Overrides = {}, propertyName?: string): fc.Arbitrary<unknown> {
  if (propertyName !== undefined && overrides[propertyName]) return overrides[propertyName];
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((alternative) => arbitraryOf(alternative, overrides)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return numberArbitrary(schema, true);
    case 'number':
      return numberArbitrary(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? GENERATED_ARRAY_CAP, GENERATED_ARRAY_CAP));
      return fc.array(arbitraryOf(schema.items ?? {}, overrides), { minLength, maxLength });
    }
    case 'object': {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties)) record[name] = arbitraryOf(property, overrides, name);
      return fc.record(record, { requiredKeys: Object.keys(properties).filter((name) => required.has(name)) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Where in a schema the fields are: used by the mutations to find strings, arrays and required fields. */
export interface FieldInfo {
  path: string[];
  schema: JsonSchema;
  required: boolean;
}

export function fieldsOf(schema: JsonSchema, path: string[] = []): FieldInfo[] {
  const fields: FieldInfo[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const here = [...path, name];
    fields.push({ path: here, schema: property, required: required.has(name) });
    const type = Array.isArray(property.type) ? property.type[0] : property.type;
    if (type === 'object') fields.push(...fieldsOf(property, here));
    if (type === 'array' && property.items && property.items.type === 'object') fields.push(...fieldsOf(property.items, [...here, '0']));
  }
  return fields;
}
