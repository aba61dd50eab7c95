// The exception a webfilter halts with: chosen by the HTTP rules (SPEC §5 rules 1–2) or named in the answer
// (rule 5), shaped so the LMS can raise it. Only arguments the exception's constructor takes are kept: the
// original plugin passed fixed kwargs and crashed with a TypeError on several filters (quirk F6).
import { exceptionFor, type FilterDef, type FilterExceptionDef } from '../../catalog';
import { isPlainObject } from './merge';

export interface FilterException {
  name: string;
  message: string;
  redirect_to?: string;
  status_code?: number;
  [arg: string]: unknown;
}

export type HaltResult = { exception: FilterException; notes: string[] } | { error: string };

/**
 * The exception from its def and candidate arguments. `extra` says whether arguments outside the
 * constructor's own list may pass (only for exceptions taking **kwargs, and only from a webfilter's answer).
 */
function shape(def: FilterExceptionDef, args: Record<string, unknown>, extra: boolean): HaltResult {
  const exception: FilterException = { name: def.name, message: messageOf(args.message) };
  const dropped: string[] = [];
  const notes: string[] = [];
  for (const [key, value] of Object.entries(args)) {
    if (key === 'message' || value === undefined) continue;
    // "name" is where the exception's class goes in our answer, so it cannot be an argument too.
    if (key === 'name' || !(def.args.includes(key) || (extra && def.acceptsExtraKwargs))) {
      dropped.push(key);
      continue;
    }
    if (key === 'redirect_to' && typeof value !== 'string') {
      notes.push('redirect_to is not a string: dropped');
      continue;
    }
    if (key === 'status_code' && !(Number.isInteger(value) && (value as number) >= 100 && (value as number) <= 599)) {
      notes.push('status_code is not an HTTP status: dropped');
      continue;
    }
    exception[key] = value;
  }
  if (dropped.length) notes.push(`${def.name} takes no ${dropped.join(', ')}: dropped`);
  // RedirectToPage's redirect_to is a required constructor argument: without a target it cannot redirect.
  if (def.name === 'RedirectToPage' && !exception.redirect_to) {
    return { error: 'RedirectToPage needs a redirect_to URL' };
  }
  return { exception, notes };
}

function messageOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The halt for a failed call or a 4xx/5xx answer: RedirectToPage when the filter has it and a redirect URL
 * is configured, otherwise the filter's first exception. RedirectToPage cannot be raised without a target,
 * so without a redirect URL the first other exception is used. A filter without exceptions cannot halt.
 */
export function httpHalt(
  filter: FilterDef,
  input: { message: string; redirectTo: string; statusCode: number | null },
): HaltResult {
  const redirectDef = input.redirectTo ? exceptionFor(filter, 'RedirectToPage') : undefined;
  const def = redirectDef ?? filter.exceptions.find((x) => x.name !== 'RedirectToPage');
  if (!def) return { error: `${filter.name} has no exception to halt with` };
  return shape(
    def,
    { message: input.message, redirect_to: input.redirectTo || undefined, status_code: input.statusCode ?? undefined },
    false,
  );
}

/** The halt a webfilter's answer asks for: `{"exception": {"<Name>": "message" | {message, …}}}`. */
export function replyHalt(filter: FilterDef, value: unknown): HaltResult {
  if (!isPlainObject(value)) return { error: 'exception is not an object of the form {"<ExceptionName>": …}' };
  const names = Object.keys(value);
  if (names.length !== 1) {
    return { error: `exception must have exactly one key (the exception name), it has ${names.length}` };
  }
  const name = names[0]!;
  const def = exceptionFor(filter, name);
  if (!def) {
    const valid = filter.exceptions.map((e) => e.name);
    return {
      error:
        `${name} is not an exception of ${filter.name}` +
        (valid.length ? ` (valid: ${valid.join(', ')})` : ' (this filter cannot halt)'),
    };
  }
  const body = value[name];
  if (typeof body === 'string' || body === null) return shape(def, { message: body }, true);
  if (isPlainObject(body)) return shape(def, body, true);
  return { error: `the value of ${name} must be a message string or an object of arguments` };
}
