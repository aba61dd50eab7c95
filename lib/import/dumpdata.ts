// Reads `./manage.py lms dumpdata openedx_webhooks` output: the list shape, then the plugin's two models.
// Client-safe (zod only), so the import page could check a file the same way.
import { z } from 'zod';

export const WEBHOOK_MODEL = 'openedx_webhooks.webhook';
export const WEBFILTER_MODEL = 'openedx_webhooks.webfilter';
export const DUMPDATA_COMMAND = './manage.py lms dumpdata openedx_webhooks --indent 2 > openedx-webhooks.json';

/** One row as Django's serializer writes it. pk is an integer for the plugin's models. */
const row = z.object({
  model: z.string(),
  pk: z.union([z.number(), z.string(), z.null()]).optional(),
  fields: z.record(z.string(), z.unknown()),
});

const bool = (fallback: boolean) => z.boolean({ error: 'must be true or false' }).default(fallback);
const text = z.string({ error: (i) => (i.input === undefined ? 'is missing' : 'must be a string') });

/** The plugin's Webhook model (TimeStampedModel: created and modified are read but not needed). */
export const pluginWebhook = z.object({
  event: text.min(1, 'is empty'),
  webhook_url: text,
  enabled: bool(true),
  use_www_form_encoding: bool(false),
});

/** The plugin's Webfilter model: its 10 flags (disable_halt is ours disable_halting) and a description. */
export const pluginWebfilter = z.object({
  description: text.default(''),
  event: text.min(1, 'is empty'),
  webhook_url: text,
  enabled: bool(true),
  disable_filtering: bool(false),
  disable_halt: bool(false),
  halt_on_4xx: bool(false),
  redirect_on_4xx: text.default(''),
  halt_on_5xx: bool(false),
  redirect_on_5xx: text.default(''),
  halt_on_request_exception: bool(false),
  redirect_on_request_exception: text.default(''),
  use_www_form_encoding: bool(false),
});

export type PluginWebhook = z.output<typeof pluginWebhook>;
export type PluginWebfilter = z.output<typeof pluginWebfilter>;

export interface PluginRow {
  model: typeof WEBHOOK_MODEL | typeof WEBFILTER_MODEL;
  pk: number | string | null;
  fields: Record<string, unknown>;
}

export type Dumpdata = { ok: true; rows: PluginRow[]; ignored: number } | { ok: false; status: 400 | 422; error: string };

const EXAMPLE = '[{"model": "openedx_webhooks.webhook", "pk": 1, "fields": {…}}, …]';

/**
 * The plugin's rows in the order they apply (webhooks, then webfilters, each by pk), and how many rows of
 * other models were left out. A file that is not a dumpdata list, or holds none of the plugin's rows, fails.
 */
export function readDumpdata(value: unknown): Dumpdata {
  if (!Array.isArray(value)) {
    return {
      ok: false,
      status: 400,
      error: `This is not a Django dumpdata file: expected a JSON list of rows like ${EXAMPLE}, as written by ${DUMPDATA_COMMAND}.`,
    };
  }
  const rows: PluginRow[] = [];
  let ignored = 0;
  for (const [i, item] of value.entries()) {
    const parsed = row.safeParse(item);
    if (!parsed.success) {
      return {
        ok: false,
        status: 400,
        error: `Row ${i + 1} of the list is not a dumpdata row: each row needs "model", "pk" and a "fields" object, as in ${EXAMPLE}.`,
      };
    }
    const model = parsed.data.model.trim().toLowerCase();
    if (model === WEBHOOK_MODEL || model === WEBFILTER_MODEL) rows.push({ model, pk: parsed.data.pk ?? null, fields: parsed.data.fields });
    else ignored++;
  }
  if (rows.length === 0) {
    const others = ignored ? ` (it holds ${ignored} row${ignored === 1 ? '' : 's'} of other models)` : ' (the list is empty)';
    return {
      ok: false,
      status: 422,
      error: `The file holds no openedx_webhooks rows${others}: export them with ${DUMPDATA_COMMAND}.`,
    };
  }
  const rank = (r: PluginRow) => (r.model === WEBHOOK_MODEL ? 0 : 1);
  const pkOrder = (a: PluginRow['pk'], b: PluginRow['pk']) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : String(a ?? '').localeCompare(String(b ?? ''), 'en', { numeric: true });
  // Stable: rows with equal pks keep the file's order.
  rows.sort((a, b) => rank(a) - rank(b) || pkOrder(a.pk, b.pk));
  return { ok: true, rows, ignored };
}

/** "enabled must be true or false" for the first problem of a row's fields. */
export function fieldsProblem(error: z.ZodError): string {
  const first = error.issues[0]!;
  const where = first.path.map(String).join('.') || 'fields';
  return `Field "${where}" ${first.message.replace(/\.$/, '')}.`;
}
export { row as dumpdataRow };
