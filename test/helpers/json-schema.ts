/**
 * A small JSON Schema (2020-12) checker for the keywords zod's toJSONSchema emits, used to validate the
 * OpenAPI document's examples against the schemas it publishes. A keyword it does not know is reported as
 * an error, so an unchecked schema can never pass silently.
 */
type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['description', 'default', 'title', 'examples', '$schema', 'id', 'format']);
const TYPE_CHECKS: Record<string, (v: unknown) => boolean> = {
  object: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
  array: Array.isArray,
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  integer: Number.isInteger,
  boolean: (v) => typeof v === 'boolean',
  null: (v) => v === null,
};

export interface SchemaContext {
  /** Resolves `#/...` references against this document. */
  root: unknown;
}

function resolveRef(ref: string, ctx: SchemaContext): Schema {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
  let node: unknown = ctx.root;
  for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown> | undefined)?.[part];
  if (node === undefined || typeof node !== 'object') throw new Error(`unresolved $ref ${ref}`);
  return node as Schema;
}

const sub = (value: unknown, schema: unknown, path: string, ctx: SchemaContext): string[] =>
  typeof schema === 'boolean'
    ? schema
      ? []
      : [`${path}: not allowed`]
    : validate(value, schema as Schema, path, ctx);

function checkObject(value: Record<string, unknown>, s: Schema, path: string, ctx: SchemaContext): string[] {
  const props = (s.properties ?? {}) as Record<string, unknown>;
  const errors = ((s.required ?? []) as string[])
    .filter((k) => !(k in value))
    .map((k) => `${path}.${k}: required`);
  for (const [k, v] of Object.entries(value)) {
    if (k in props) errors.push(...sub(v, props[k], `${path}.${k}`, ctx));
    else if (s.additionalProperties !== undefined)
      errors.push(...sub(v, s.additionalProperties, `${path}.${k}`, ctx));
    if (s.propertyNames !== undefined) errors.push(...sub(k, s.propertyNames, `${path}.${k} (name)`, ctx));
  }
  return errors;
}

function checkArray(value: unknown[], s: Schema, path: string, ctx: SchemaContext): string[] {
  const errors: string[] = [];
  const prefix = (s.prefixItems ?? []) as unknown[];
  if (typeof s.minItems === 'number' && value.length < s.minItems)
    errors.push(`${path}: fewer than ${s.minItems}`);
  if (typeof s.maxItems === 'number' && value.length > s.maxItems)
    errors.push(`${path}: more than ${s.maxItems}`);
  value.forEach((v, i) => {
    const itemSchema = i < prefix.length ? prefix[i] : s.items;
    if (itemSchema !== undefined) errors.push(...sub(v, itemSchema, `${path}[${i}]`, ctx));
  });
  return errors;
}

function checkScalar(value: unknown, s: Schema, path: string): string[] {
  const errors: string[] = [];
  if (typeof value === 'string') {
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value))
      errors.push(`${path}: pattern`);
    if (typeof s.maxLength === 'number' && value.length > s.maxLength) errors.push(`${path}: too long`);
    if (typeof s.minLength === 'number' && value.length < s.minLength) errors.push(`${path}: too short`);
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) errors.push(`${path}: below minimum`);
    if (typeof s.maximum === 'number' && value > s.maximum) errors.push(`${path}: above maximum`);
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum)
      errors.push(`${path}: not above`);
    if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum)
      errors.push(`${path}: not below`);
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => Object.is(e, value))) errors.push(`${path}: not in enum`);
  if ('const' in s && !Object.is(s.const, value)) errors.push(`${path}: not the constant`);
  return errors;
}

const KNOWN = new Set([
  ...ANNOTATIONS,
  ...[
    '$ref',
    'type',
    'properties',
    'required',
    'additionalProperties',
    'propertyNames',
    'items',
    'prefixItems',
  ],
  ...['minItems', 'maxItems', 'pattern', 'maxLength', 'minLength', 'minimum', 'maximum', 'exclusiveMinimum'],
  ...['exclusiveMaximum', 'enum', 'const', 'anyOf', 'oneOf', 'allOf'],
]);

/** The list of violations of `value` against `schema` (empty when valid). */
export function validate(
  value: unknown,
  schema: Schema,
  path = '$',
  ctx: SchemaContext = { root: schema },
): string[] {
  const unknown = Object.keys(schema).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) return [`${path}: unsupported keywords ${unknown.join(', ')}`];
  if (typeof schema.$ref === 'string') return validate(value, resolveRef(schema.$ref, ctx), path, ctx);
  const errors: string[] = [];
  if (schema.type !== undefined) {
    const types = (Array.isArray(schema.type) ? schema.type : [schema.type]) as string[];
    if (!types.some((t) => TYPE_CHECKS[t]?.(value))) return [`${path}: expected ${types.join('|')}`];
  }
  if (TYPE_CHECKS.object!(value))
    errors.push(...checkObject(value as Record<string, unknown>, schema, path, ctx));
  if (Array.isArray(value)) errors.push(...checkArray(value, schema, path, ctx));
  errors.push(...checkScalar(value, schema, path));
  for (const s of (schema.allOf ?? []) as unknown[]) errors.push(...sub(value, s, path, ctx));
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some((s) => sub(value, s, path, ctx).length === 0)) {
    errors.push(`${path}: matches none of anyOf`);
  }
  if (
    Array.isArray(schema.oneOf) &&
    schema.oneOf.filter((s) => sub(value, s, path, ctx).length === 0).length !== 1
  ) {
    errors.push(`${path}: does not match exactly one of oneOf`);
  }
  return errors;
}
