// Expected failures of the management services, as values: the API turns them into 4xx, the forms into messages.
import type { ZodError } from 'zod';
import { jsonError, type Issue } from '../http/json';

export type Failure = { ok: false; status: 400 | 404 | 409 | 422; error: string; issues?: Issue[] };
export type Result<T> = { ok: true; value: T } | Failure;

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export function notFound(what: string, id: string): Failure {
  return { ok: false, status: 404, error: `No ${what} has the id "${id}".` };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A malformed id cannot name a row: callers answer 404 without asking the database. */
export const isUuid = (id: string) => UUID.test(id);

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let v = input;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/**
 * 400 when the body has the wrong shape (not an object, a value of the wrong JSON type, an unknown key),
 * 422 when it is well formed but a value is not acceptable (unknown event, bad URL, missing field).
 */
export function invalid(error: ZodError, input: unknown): Failure {
  const issues: Issue[] = error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
  const shape = error.issues.some(
    (i) =>
      i.code === 'unrecognized_keys' ||
      // A missing field, or a number that is not whole, is a bad value rather than a wrong type.
      (i.code === 'invalid_type' && i.expected !== 'int' && valueAt(input, i.path) !== undefined),
  );
  const first = issues[0]!;
  const where = first.path === '(body)' ? 'The request body' : first.path;
  return { ok: false, status: shape ? 400 : 422, error: `${where}: ${first.message.replace(/\.$/, '')}.`, issues };
}

/** Issues found after parsing (rules that span fields), always 422. */
export function rejected(issues: Issue[]): Failure {
  const first = issues[0]!;
  return { ok: false, status: 422, error: `${first.path}: ${first.message.replace(/\.$/, '')}.`, issues };
}

export function failureResponse(f: Failure): Response {
  return jsonError(f.status, f.error, f.issues);
}

/** Keys a client may echo back from a GET; they are read-only and ignored. */
export function withoutReadOnly(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const { id: _id, created_at: _c, updated_at: _u, ...rest } = input as Record<string, unknown>;
  return rest;
}

/** What a server action hands back to a form on failure: the sentence and the per-field issues. */
export type ActionFailure = { ok: false; error: string; issues?: Issue[] };

export function actionFailure(f: Failure): ActionFailure {
  return { ok: false, error: f.error, ...(f.issues && { issues: f.issues }) };
}
