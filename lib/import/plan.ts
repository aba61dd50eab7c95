// What importing each openedx-webhooks row means here: the values to create, or why it is skipped.
// Pure: the caller reads the existing rows and writes the result.
import { closestEvents, closestFilters, findEvent, findFilter, type FilterDef } from '../catalog';
import type { Webfilter, Webhook } from '../db/schema';
import { filterOptions, HALT_KEYS, REDIRECT_KEYS, webfilterCreate, type WebfilterCreate } from '../validation/webfilter';
import { webhookCreate, type WebhookCreate } from '../validation/webhook';
import { fieldsProblem, pluginWebfilter, pluginWebhook, WEBHOOK_MODEL, type PluginRow } from './dumpdata';
import { webfilterValues } from '../manage/webfilters';

export type ImportResultKind = 'created' | 'duplicate' | 'unknown_event' | 'invalid';

export interface ImportItem {
  model: string;
  pk: number | string | null;
  result: ImportResultKind;
  message: string;
  /** The new row (created), or the existing one it duplicates. */
  id?: string;
  /** The event or filter name as the plugin stored it, and the URL, for the preview. */
  event: string | null;
  url: string | null;
  /** The event or filter type it maps to, when known. */
  mapped_to?: string;
}

export type Insert = { kind: 'webhook'; values: WebhookCreate } | { kind: 'webfilter'; values: WebfilterCreate };
export interface Planned {
  item: ImportItem;
  insert?: Insert;
}

// Our names for the plugin's fields, so a message names what the operator sees in their file.
const PLUGIN_NAME: Record<string, string> = { url: 'webhook_url', disable_halting: 'disable_halt', event_type: 'event', filter_type: 'event' };

/** Where an imported row came from, as its description when the plugin kept none: "openedx-webhooks webhook #12". */
const origin = (model: string, row: PluginRow) => `openedx-webhooks ${model}${row.pk === null ? '' : ` #${row.pk}`}`;
const str = (v: unknown) => (typeof v === 'string' ? v : null);
const settingsKey = (v: object, drop: string[]) =>
  JSON.stringify(Object.entries(v).filter(([k]) => !drop.includes(k)).sort(([a], [b]) => a.localeCompare(b)));
// Same type + URL + settings is a duplicate; the description, enabled and position are not settings.
const webhookKey = (v: Pick<WebhookCreate, 'event_type' | 'url' | 'use_www_form_encoding'>) =>
  settingsKey({ event_type: v.event_type, url: v.url, use_www_form_encoding: v.use_www_form_encoding }, []);
const webfilterKey = (v: Omit<WebfilterCreate, 'description' | 'enabled'>) => settingsKey(v, ['description', 'enabled', 'position']);

/** Plans every row, in order; a row identical to an existing one, or to an earlier row, is a duplicate. */
export function planImport(rows: PluginRow[], existing: { webhooks: Webhook[]; webfilters: Webfilter[] }, dryRun: boolean): Planned[] {
  const seen = new Map<string, { id?: string; pk?: PluginRow['pk']; what: string }>();
  for (const w of existing.webhooks) {
    seen.set('h' + webhookKey({ event_type: w.eventType, url: w.url, use_www_form_encoding: w.useWwwFormEncoding }), { id: w.id, what: `webhook "${w.description || w.url}"` });
  }
  for (const w of existing.webfilters) {
    seen.set('f' + webfilterKey(webfilterValues(w)), { id: w.id, what: `webfilter "${w.description || w.url}"` });
  }
  const will = dryRun ? 'Will be created' : 'Created';
  return rows.map((row) => {
    const planned = row.model === WEBHOOK_MODEL ? planWebhook(row, will) : planWebfilter(row, will);
    if (!planned.insert) return planned;
    const key = (planned.insert.kind === 'webhook' ? 'h' : 'f') + (planned.insert.kind === 'webhook' ? webhookKey(planned.insert.values) : webfilterKey(planned.insert.values));
    const twin = seen.get(key);
    if (twin) {
      const where = twin.id ? `the existing ${twin.what}` : twin.pk == null ? 'an earlier row of this file' : `row #${twin.pk} of this file`;
      const item: ImportItem = { ...planned.item, result: 'duplicate', message: `Already here: same type, URL and settings as ${where}.` };
      if (twin.id) item.id = twin.id;
      return { item };
    }
    seen.set(key, { pk: row.pk, what: '' });
    return planned;
  });
}

function base(row: PluginRow): ImportItem {
  return { model: row.model, pk: row.pk, result: 'invalid', message: '', event: str(row.fields.event), url: str(row.fields.webhook_url) };
}

const skip = (item: ImportItem, result: ImportResultKind, message: string): Planned => ({ item: { ...item, result, message } });

function valuesProblem(issues: { path: PropertyKey[]; message: string }[]): string {
  const first = issues[0]!;
  const field = String(first.path[0] ?? 'fields');
  return `${PLUGIN_NAME[field] ?? field}: ${first.message.replace(/\.$/, '')}.`;
}

function planWebhook(row: PluginRow, will: string): Planned {
  const item = base(row);
  const fields = pluginWebhook.safeParse(row.fields);
  if (!fields.success) return skip(item, 'invalid', fieldsProblem(fields.error));
  const f = fields.data;
  const event = findEvent(f.event);
  if (!event) {
    const near = closestEvents(f.event, 3).map((e) => e.signal);
    return skip(item, 'unknown_event', `Unknown event "${f.event}": no Open edX signal has that name. Closest known: ${near.join(', ')}.`);
  }
  item.mapped_to = event.eventType;
  const values = webhookCreate.safeParse({
    description: origin('webhook', row),
    event_type: event.eventType,
    url: f.webhook_url,
    enabled: f.enabled,
    use_www_form_encoding: f.use_www_form_encoding,
  });
  if (!values.success) return skip(item, 'invalid', valuesProblem(values.error.issues));
  return {
    item: { ...item, result: 'created', message: `${will} as a webhook for ${event.eventType}, signed with a new secret.` },
    insert: { kind: 'webhook', values: values.data },
  };
}

/** Options the plugin kept but this filter cannot honour (it could not either): cleared, and said why. */
function dropUnusable(filter: FilterDef, f: Record<string, unknown>): string | null {
  const { canHalt, canRedirect } = filterOptions(filter);
  const dropped: string[] = [];
  const clear = (keys: readonly string[], empty: boolean | string) => {
    for (const k of keys) {
      if (!f[k]) continue;
      dropped.push(k);
      f[k] = empty;
    }
  };
  if (!canHalt) clear(HALT_KEYS, false);
  if (!canRedirect) clear(REDIRECT_KEYS, '');
  if (!dropped.length) return null;
  const why = canHalt ? `no exception of ${filter.name} takes redirect_to` : `${filter.name} has no exception, so it cannot halt`;
  return `Left out ${dropped.join(', ')}: ${why}.`;
}

function planWebfilter(row: PluginRow, will: string): Planned {
  const item = base(row);
  const fields = pluginWebfilter.safeParse(row.fields);
  if (!fields.success) return skip(item, 'invalid', fieldsProblem(fields.error));
  const { disable_halt, event, webhook_url, description, ...flags } = fields.data;
  const filter = findFilter(event);
  if (!filter) {
    const near = closestFilters(event, 3).map((x) => x.pluginEvent ?? x.name);
    return skip(item, 'unknown_event', `Unknown filter "${event}": no Open edX filter has that name. Closest known: ${near.join(', ')}.`);
  }
  item.mapped_to = filter.filterType;
  const notes: string[] = [];
  // Quirk F1: the plugin stored this name but its handler looked up the class name, so it never ran.
  const neverFired = !!filter.pluginEvent && filter.pluginEvent !== filter.name && event.trim() === filter.pluginEvent;
  // `enabled` carries over as the plugin had it; the message says what will change once it is on.
  if (neverFired) {
    notes.push(
      `The original plugin never fired this webfilter (it stored "${filter.pluginEvent}" but looked up "${filter.name}")${flags.enabled ? ': it is imported enabled and will now be called, so check its receiver' : ''}.`,
    );
  }
  const options: Record<string, unknown> = { ...flags, disable_halting: disable_halt };
  const dropped = dropUnusable(filter, options);
  if (dropped) notes.push(dropped);
  const values = webfilterCreate.safeParse({
    ...options,
    description: description.trim() || origin('webfilter', row),
    filter_type: filter.filterType,
    url: webhook_url,
  });
  if (!values.success) return skip(item, 'invalid', valuesProblem(values.error.issues));
  return {
    item: { ...item, result: 'created', message: [`${will} as a webfilter for ${filter.filterType}.`, ...notes].join(' ') },
    insert: { kind: 'webfilter', values: values.data },
  };
}
