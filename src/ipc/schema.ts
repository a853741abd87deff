/**
 * Tiny hand-written validators for request data: each check returns the typed
 * value or throws IpcError MISSING_FIELD (absent or null) / INVALID_PAYLOAD
 * (wrong type, out of bounds) naming the field's path. Each check also
 * carries the JSON Schema of what it accepts, so the HTTP API's routes and
 * OpenAPI document come from the very checks that validate. Owns validation
 * only; must not know request semantics (requests.ts composes these).
 */
import { IpcError } from './errors.js';

/** A JSON Schema (draft 2020-12, as OpenAPI 3.1 uses) describing what a check accepts. */
export type JsonSchema = { readonly [key: string]: unknown };

export type Check<T> = ((v: unknown, path: string) => T) & { readonly optional?: false; readonly schema?: JsonSchema };
export type OptionalCheck<T> = ((v: unknown, path: string) => T | undefined) & { readonly optional: true; readonly schema?: JsonSchema };
type AnyCheck = Check<unknown> | OptionalCheck<unknown>;
type Shape = Record<string, AnyCheck>;

type Required<S extends Shape> = { [K in keyof S as S[K] extends OptionalCheck<unknown> ? never : K]: S[K] extends Check<infer T> ? T : never };
type Optional<S extends Shape> = { [K in keyof S as S[K] extends OptionalCheck<unknown> ? K : never]?: S[K] extends OptionalCheck<infer T> ? T : never };
export type Infer<S extends Shape> = Required<S> & Optional<S> extends infer O ? { [K in keyof O]: O[K] } : never;

function where(path: string): string {
  return path === '' ? 'data' : path;
}

export function invalid(path: string, expected: string, value: unknown): IpcError {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  return new IpcError('INVALID_PAYLOAD', `${where(path)} must be ${expected} (got ${got})`, { field: where(path) });
}

/** A field the check does not know, with the ones it does. */
export function unknownField(path: string, key: string, known: readonly string[]): IpcError {
  const field = path === '' ? key.slice(0, 80) : `${path}.${key.slice(0, 80)}`;
  const expected = known.length > 0 ? `the fields there are ${known.join(', ')}` : 'no field is taken there';
  return new IpcError('INVALID_PAYLOAD', `${field} is not a field this request takes (${expected})`, { field });
}

function missing(path: string): IpcError {
  return new IpcError('MISSING_FIELD', `${where(path)} is required`, { field: where(path) });
}

function required<T>(fn: (v: unknown, path: string) => T, schema: JsonSchema): Check<T> {
  const check = (v: unknown, path: string): T => {
    if (v === undefined || v === null) throw missing(path);
    return fn(v, path);
  };
  return Object.assign(check, { schema });
}

/** A hand-written check with the JSON Schema of what it accepts (for checks the combinators cannot express). */
export function described<T>(check: (v: unknown, path: string) => T, schema: JsonSchema): Check<T> {
  return Object.assign((v: unknown, path: string) => check(v, path), { schema });
}

/** What a check accepts; `{}` (anything) for a check that does not say. */
export function schemaOf(check: Check<unknown> | OptionalCheck<unknown>): JsonSchema {
  return check.schema ?? {};
}

export function optional<T>(check: Check<T>): OptionalCheck<T> {
  const fn = (v: unknown, path: string): T | undefined => (v === undefined || v === null ? undefined : check(v, path));
  return Object.assign(fn, { optional: true as const, schema: schemaOf(check) });
}

export function str(opts: { min?: number; max?: number; pattern?: RegExp; what?: string } = {}): Check<string> {
  const min = opts.min ?? 1;
  const max = opts.max ?? 256;
  return required((v, path) => {
    if (typeof v !== 'string') throw invalid(path, opts.what ?? 'a string', v);
    if (v.length < min) throw new IpcError('INVALID_PAYLOAD', `${where(path)} must not be empty`, { field: where(path) });
    if (v.length > max) throw new IpcError('INVALID_PAYLOAD', `${where(path)} is longer than ${max} characters`, { field: where(path) });
    if (opts.pattern && !opts.pattern.test(v)) throw new IpcError('INVALID_PAYLOAD', `${where(path)} must be ${opts.what ?? `like ${opts.pattern}`}`, { field: where(path) });
    return v;
  }, { type: 'string', ...(min > 0 ? { minLength: min } : {}), maxLength: max, ...(opts.pattern ? { pattern: opts.pattern.source } : {}), ...(opts.what ? { description: opts.what } : {}) });
}

export function num(opts: { min?: number; max?: number; integer?: boolean } = {}): Check<number> {
  const min = opts.min ?? -Number.MAX_VALUE;
  const max = opts.max ?? Number.MAX_VALUE;
  const what = opts.integer ? 'an integer' : 'a number';
  return required((v, path) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(path, what, v);
    if (opts.integer && !Number.isSafeInteger(v)) throw invalid(path, what, v);
    if (v < min || v > max) throw new IpcError('INVALID_PAYLOAD', `${where(path)} must be between ${min} and ${max}`, { field: where(path) });
    return v;
  }, { type: opts.integer ? 'integer' : 'number', ...(opts.min !== undefined ? { minimum: min } : {}), ...(opts.max !== undefined ? { maximum: max } : {}) });
}

export function int(min = 0, max = Number.MAX_SAFE_INTEGER): Check<number> {
  return num({ min, max, integer: true });
}

export const bool: Check<boolean> = required((v, path) => {
  if (typeof v !== 'boolean') throw invalid(path, 'true or false', v);
  return v;
}, { type: 'boolean' });

export function oneOf<T extends string>(values: readonly T[]): Check<T> {
  const set = new Set<string>(values);
  return required((v, path) => {
    if (typeof v !== 'string' || !set.has(v)) throw new IpcError('INVALID_PAYLOAD', `${where(path)} must be one of ${values.join(', ')}`, { field: where(path) });
    return v as T;
  }, { type: 'string', enum: [...values] });
}

export function arrayOf<T>(item: Check<T>, opts: { min?: number; max: number }): Check<T[]> {
  return required((v, path) => {
    if (!Array.isArray(v)) throw invalid(path, 'an array', v);
    if (v.length < (opts.min ?? 0)) throw new IpcError('INVALID_PAYLOAD', `${where(path)} needs at least ${opts.min} item(s)`, { field: where(path) });
    if (v.length > opts.max) throw new IpcError('INVALID_PAYLOAD', `${where(path)} has more than ${opts.max} items`, { field: where(path) });
    return v.map((x, i) => item(x, `${where(path)}[${i}]`));
  }, { type: 'array', items: schemaOf(item), ...(opts.min ? { minItems: opts.min } : {}), maxItems: opts.max });
}

/** Record<string, T> with bounded size. */
export function mapOf<T>(item: Check<T>, opts: { max: number; key?: RegExp }): Check<Record<string, T>> {
  return required((v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(path, 'an object', v);
    const entries = Object.entries(v);
    if (entries.length > opts.max) throw new IpcError('INVALID_PAYLOAD', `${where(path)} has more than ${opts.max} keys`, { field: where(path) });
    const out: Record<string, T> = {};
    for (const [k, x] of entries) {
      if (opts.key && !opts.key.test(k)) throw new IpcError('INVALID_PAYLOAD', `${where(path)} has a bad key ${JSON.stringify(k.slice(0, 80))}`, { field: where(path) });
      out[k] = item(x, `${where(path)}.${k}`);
    }
    return out;
  }, { type: 'object', additionalProperties: schemaOf(item), maxProperties: opts.max, ...(opts.key ? { propertyNames: { pattern: opts.key.source } } : {}) });
}

/**
 * An object with exactly these known fields. A field it does not know is
 * refused, naming its path: dropped silently, a misspelt or newer option
 * would do nothing while the caller believes it did.
 */
export function object<S extends Shape>(shape: S): Check<Infer<S>> {
  // Listed once: every request's data goes through here.
  const fields = Object.entries(shape);
  return required((v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(path, 'an object', v);
    const src = v as Record<string, unknown>;
    for (const k in src) if (Object.hasOwn(src, k) && !Object.hasOwn(shape, k)) throw unknownField(path, k, Object.keys(shape));
    const out: Record<string, unknown> = {};
    for (const [k, check] of fields) {
      const x = check(Object.prototype.hasOwnProperty.call(src, k) ? src[k] : undefined, path === '' ? k : `${path}.${k}`);
      if (x !== undefined) out[k] = x;
    }
    return out as Infer<S>;
  }, objectSchema(shape));
}

/** Either of two checks: a number or a map, for instance. The second's error wins when both fail. */
export function either<A, B>(a: Check<A>, b: Check<B>, test: (v: unknown) => boolean): Check<A | B> {
  return required((v, path) => (test(v) ? a(v, path) : b(v, path)), { anyOf: [schemaOf(a), schemaOf(b)] });
}

function objectSchema(shape: Shape): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const needed: string[] = [];
  for (const [k, check] of Object.entries(shape)) {
    properties[k] = schemaOf(check);
    if (check.optional !== true) needed.push(k);
  }
  return { type: 'object', properties, ...(needed.length > 0 ? { required: needed } : {}), additionalProperties: false };
}
