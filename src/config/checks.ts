/**
 * A small hand-written validator: each check takes a raw JSON value and its
 * key path, returns the value (normalised) or records an issue naming the
 * path and the expected type. Every issue of a config is collected, so one
 * run of the daemon reports all of them. Owns value checks only; the schema
 * is schema.ts.
 */
export const INVALID: unique symbol = Symbol('invalid');
export type Invalid = typeof INVALID;

export interface RawIssue {
  readonly path: string;
  readonly message: string;
}

export type Check<T> = (value: unknown, path: string, issues: RawIssue[]) => T | Invalid;
export type Checked<C> = C extends Check<infer T> ? T : never;

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const json = JSON.stringify(v);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

export function fail(issues: RawIssue[], path: string, expected: string, got: unknown): Invalid {
  issues.push({ path, message: `expected ${expected}, got ${show(got)}` });
  return INVALID;
}

export function str(options: { nonEmpty?: boolean } = {}): Check<string> {
  const expected = options.nonEmpty ? 'a non-empty string' : 'a string';
  return (v, path, issues) => (typeof v === 'string' && (!options.nonEmpty || v.length > 0) ? v : fail(issues, path, expected, v));
}

export function int(min: number, max: number): Check<number> {
  return (v, path, issues) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fail(issues, path, `an integer from ${min} to ${max}`, v);
}

export function num(min: number, max: number): Check<number> {
  return (v, path, issues) =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : fail(issues, path, `a number from ${min} to ${max}`, v);
}

export const bool: Check<boolean> = (v, path, issues) => (typeof v === 'boolean' ? v : fail(issues, path, 'true or false', v));

export function oneOf<T extends string>(values: readonly T[]): Check<T> {
  return (v, path, issues) => ((values as readonly unknown[]).includes(v) ? (v as T) : fail(issues, path, `one of ${values.join(', ')}`, v));
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (v, path, issues) => (v === null ? null : check(v, path, issues));
}

export function arrayOf<T>(check: Check<T>): Check<T[]> {
  return (v, path, issues) => {
    if (!Array.isArray(v)) return fail(issues, path, 'a list', v);
    const out: T[] = [];
    let ok = true;
    v.forEach((item, i) => {
      const r = check(item, `${path}[${i}]`, issues);
      if (r === INVALID) ok = false;
      else out.push(r);
    });
    return ok ? out : INVALID;
  };
}

export type Conversion<U> = { readonly ok: U } | { readonly expected: string };
export const ok = <U>(value: U): Conversion<U> => ({ ok: value });
export const bad = (expected: string): Conversion<never> => ({ expected });

/** A check followed by a conversion that may refuse the value (`bad(expected)`). */
export function refine<T, U>(check: Check<T>, convert: (v: T) => Conversion<U>): Check<U> {
  return (v, path, issues) => {
    const r = check(v, path, issues);
    if (r === INVALID) return INVALID;
    const c = convert(r);
    return 'ok' in c ? c.ok : fail(issues, path, c.expected, v);
  };
}

/** An object used as a map: every key (at most `maxKeys`) matches `key`, every value passes `check`. */
export function recordOf<T>(check: Check<T>, options: { key: RegExp; keyWhat: string; maxKeys: number }): Check<Record<string, T>> {
  return (v, path, issues) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(issues, path, 'an object', v);
    const entries = Object.entries(v as Record<string, unknown>).filter(([k]) => !isComment(k));
    if (entries.length > options.maxKeys) return fail(issues, path, `at most ${options.maxKeys} keys`, `${entries.length} keys`);
    const out: Record<string, T> = {};
    let ok = true;
    for (const [k, item] of entries) {
      if (!options.key.test(k)) {
        issues.push({ path: join(path, k), message: `expected a key that is ${options.keyWhat}` });
        ok = false;
        continue;
      }
      const r = check(item, join(path, k), issues);
      if (r === INVALID) ok = false;
      else out[k] = r;
    }
    return ok ? out : INVALID;
  };
}

type Shape = Record<string, Check<unknown>>;
export type ObjectOf<S extends Shape> = { [K in keyof S]: Checked<S[K]> };

/** Keys the schema does not know are refused (a typo must not silently fall back to a default). */
export function object<S extends Shape>(shape: S, options: { optional?: readonly (keyof S)[] } = {}): Check<ObjectOf<S>> {
  return (v, path, issues) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(issues, path, 'an object', v);
    const raw = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    let ok = true;
    for (const key of Object.keys(raw)) {
      if (key in shape || isComment(key)) continue;
      const hint = closest(key, Object.keys(shape));
      issues.push({ path: join(path, key), message: `unknown key${hint ? ` (did you mean "${hint}"?)` : ''}` });
      ok = false;
    }
    for (const [key, check] of Object.entries(shape)) {
      if (raw[key] === undefined && options.optional?.includes(key)) continue;
      const r = check(raw[key], join(path, key), issues);
      if (r === INVALID) ok = false;
      else out[key] = r;
    }
    return ok ? (out as ObjectOf<S>) : INVALID;
  };
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** `$schema` and `//…` keys are for people reading the file. */
function isComment(key: string): boolean {
  return key === '$schema' || key.startsWith('//');
}

function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = distance(key.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j]!;
      row[j] = next;
    }
  }
  return row[b.length]!;
}
