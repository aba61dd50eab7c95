// What one webfilter's answer means (SPEC §5 rules 1–5), judged on its own: the engine applies verdicts in order.
import type { FilterDef } from '../../catalog';
import type { Webfilter } from '../../db/schema';
import { redactText, urlLabel } from '../../url-label';
import type { SendResult } from '../send';
import { httpHalt, replyHalt, type FilterException } from './halt';
import { isPlainObject, type JsonObject } from './merge';

export type Verdict =
  | { result: 'applied'; reason: string; data: JsonObject }
  | { result: 'ignored'; reason: string }
  | { result: 'halted'; reason: string; data?: JsonObject; exception: FilterException };

const sentence = (parts: string[]) => parts.join('; ') + '.';

export function judge(filter: FilterDef, wf: Webfilter, sent: SendResult): Verdict {
  // Rule 1: no answer at all (connection error, refused target, timeout).
  if (sent.status === null) {
    const error = redactText(sent.error ?? 'no answer').replace(/\.$/, '');
    const failed = `The call failed: ${error}`;
    if (!wf.haltOnRequestException) return { result: 'ignored', reason: `${failed} (Halt on request exception is off).` };
    const halt = httpHalt(filter, {
      // The LMS may show this message to a learner: the URL without its credentials or query values.
      message: `Webfilter ${urlLabel(wf.url)} failed: ${error}.`,
      redirectTo: wf.redirectOnRequestException,
      statusCode: null,
    });
    if ('error' in halt) return { result: 'ignored', reason: `${failed}; Halt on request exception is on but ${halt.error}.` };
    return { result: 'halted', reason: sentence([`${failed}; halted (Halt on request exception)`, ...halt.notes]), exception: halt.exception };
  }

  const notes: string[] = [];
  // Rule 2: error statuses halt when configured; otherwise the answer is still read, as the plugin did.
  if (sent.status >= 400) {
    const is4xx = sent.status < 500;
    const label = is4xx ? 'Halt on 4xx' : 'Halt on 5xx';
    if (is4xx ? wf.haltOn4xx : wf.haltOn5xx) {
      const halt = httpHalt(filter, {
        message: `Webfilter ${urlLabel(wf.url)} answered HTTP ${sent.status}.`,
        redirectTo: is4xx ? wf.redirectOn4xx : wf.redirectOn5xx,
        statusCode: sent.status,
      });
      if ('error' in halt) {
        return { result: 'ignored', reason: `Answered HTTP ${sent.status}; ${label} is on but ${halt.error}.` };
      }
      return {
        result: 'halted',
        reason: sentence([`Answered HTTP ${sent.status}; halted (${label})`, ...halt.notes]),
        exception: halt.exception,
      };
    }
    notes.push(`answered HTTP ${sent.status} (${label} is off), answer read anyway`);
  }

  // Rule 3: the answer as JSON; anything else counts as {}.
  let answer: JsonObject = {};
  try {
    const parsed: unknown = JSON.parse(sent.body);
    if (isPlainObject(parsed)) answer = parsed;
    else notes.push('the answer is JSON but not an object: treated as {}');
  } catch {
    const why = sent.bodyTruncated ? 'the answer is too large to read' : sent.body ? 'the answer is not JSON' : 'the answer is empty';
    notes.push(`${why}: treated as {}`);
  }

  // Rule 4: data, limited to the filter's arguments (the LMS has nowhere to put any other key).
  let data: JsonObject | undefined;
  if (answer.data !== undefined && answer.data !== null) {
    if (wf.disableFiltering) notes.push('data ignored (Disable filtering is on)');
    else if (!isPlainObject(answer.data)) notes.push('data is not an object: ignored');
    else {
      const keys = Object.keys(answer.data);
      const unknown = keys.filter((k) => !filter.arguments.includes(k));
      if (unknown.length) {
        notes.push(`data keys not arguments of ${filter.name} ignored: ${unknown.join(', ')} (arguments: ${filter.arguments.join(', ')})`);
      }
      const known = keys.filter((k) => filter.arguments.includes(k));
      if (known.length) data = Object.fromEntries(known.map((k) => [k, (answer.data as JsonObject)[k]]));
    }
  }
  if (answer.exceptions !== undefined && answer.exception === undefined) {
    notes.push('"exceptions" (plural) ignored: the key is "exception"');
  }

  // Rule 5: the exception the answer names.
  const asked = answer.exception;
  if (asked !== undefined && asked !== null && !(isPlainObject(asked) && Object.keys(asked).length === 0)) {
    if (wf.disableHalting) notes.push('exception ignored (Disable halting is on)');
    else {
      const halt = replyHalt(filter, asked);
      if ('error' in halt) notes.push(`exception ignored: ${halt.error}`);
      else {
        const parts = [`Halted with ${halt.exception.name}`, ...(data ? ['data applied'] : []), ...notes, ...halt.notes];
        return { result: 'halted', reason: sentence(parts), exception: halt.exception, ...(data ? { data } : {}) };
      }
    }
  }

  if (data) return { result: 'applied', reason: sentence([`Applied data (${Object.keys(data).join(', ')})`, ...notes]), data };
  if (!notes.length) notes.push('the answer held no data and no exception');
  return { result: 'ignored', reason: sentence(notes.map((n, i) => (i === 0 ? n[0]!.toUpperCase() + n.slice(1) : n))) };
}
