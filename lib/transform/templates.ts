// Ready-made transformations for the editor's Templates picker (SPEC §14): Slack, Microsoft Teams, Discord,
// Google Chat and a flat key/value body, each written for the chosen event's own fields (learner, course,
// grade…), found in the catalog's sample of that event. Client-safe: pure data and string building.
import { sampleEventData, type EventDef } from '../catalog';

export const TEMPLATE_IDS = ['slack', 'teams', 'discord', 'google-chat', 'flat'] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

export const TEMPLATE_LABELS: Record<TemplateId, string> = {
  slack: 'Slack incoming webhook',
  teams: 'Microsoft Teams workflow (Adaptive Card)',
  discord: 'Discord webhook',
  'google-chat': 'Google Chat webhook',
  flat: 'Flat key/value (Zapier, Make, n8n)',
};

export interface Fact {
  label: string;
  /** Dotted path in the payload. */
  path: string;
  /** How the value is shown: as it is, a 0..1 fraction as a percentage, or yes/no. */
  format?: 'percent' | 'yesno';
}

// What an operator wants to read first in a chat message, in this order; the first path matching each wins.
const RULES: { label: string; match: RegExp; format?: Fact['format'] }[] = [
  { label: 'Learner', match: /(^|\.)pii\.username$/ },
  { label: 'Name', match: /(^|\.)pii\.name$/ },
  { label: 'Course', match: /(^|\.)course\.display_name$/ },
  { label: 'Course key', match: /(^|\.)course_key$|(^|\.)course_id$/ },
  { label: 'Grade', match: /(^|\.)percent_grade$/, format: 'percent' },
  { label: 'Result', match: /(^|\.)letter_grade$/ },
  { label: 'Passing', match: /(^|\.)is_passing$/, format: 'yesno' },
  { label: 'Mode', match: /(^|\.)mode$/ },
  { label: 'Status', match: /(^|\.)current_status$|(^|\.)status$/ },
  { label: 'Title', match: /(^|\.)title$/ },
  { label: 'Block', match: /(^|\.)usage_key$|(^|\.)block_type$/ },
];
const MAX_FACTS = 6;

/** Scalar leaves of a sample value, in order: "a.b.c". */
function leaves(value: unknown, prefix = '', out: string[] = []): string[] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix && !Array.isArray(value)) {
    out.push(prefix);
  }
  return out;
}

/** The fields a message about this event shows, found in the catalog's sample of it. */
export function factsFor(event: EventDef): Fact[] {
  const paths = leaves(sampleEventData(event));
  const facts: Fact[] = [];
  const used = new Set<string>();
  for (const rule of RULES) {
    const path = paths.find((p) => rule.match.test(p) && !used.has(p));
    if (!path || facts.some((f) => f.label === rule.label)) continue;
    facts.push({ label: rule.label, path, ...(rule.format && { format: rule.format }) });
    used.add(path);
    if (facts.length >= MAX_FACTS) return facts;
  }
  // An event without the usual fields shows its first few, named after their last key.
  for (const path of paths) {
    if (facts.length >= 3) break;
    if (used.has(path) || /(^|\.)(id|pii\.email|email)$/.test(path)) continue;
    const key = path.split('.').at(-1)!;
    facts.push({ label: key.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()), path });
    used.add(path);
  }
  return facts;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;
/** `p.enrollment?.user?.pii?.username`: a path read without throwing on a missing level. */
function access(path: string): string {
  return path
    .split('.')
    .map((k, i) => (IDENT.test(k) ? `${i === 0 ? '.' : '?.'}${k}` : `${i === 0 ? '' : '?.'}[${JSON.stringify(k)}]`))
    .join('')
    .replace(/^/, 'p');
}

function factLines(facts: Fact[]): string {
  return facts
    .map((f) => {
      const value = access(f.path);
      const shown =
        f.format === 'percent'
          ? `typeof ${value} === 'number' ? Math.round(${value} * 100) + ' %' : ${value}`
          : f.format === 'yesno'
            ? `${value} === undefined ? undefined : ${value} ? 'yes' : 'no'`
            : value;
      return `    [${JSON.stringify(f.label)}, ${shown}],`;
    })
    .join('\n');
}

/** The part every chat template shares: the title and the facts that have a value, as text. */
function prelude(event: EventDef, facts: Fact[]): string {
  return `  const p = webhook.payload;
  const meta = p.event_metadata || {};
  const title = ${JSON.stringify(event.label)};
  // [label, value] for this event's fields; empty ones are left out.
  const facts = [
${factLines(facts)}
  ].filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [k, String(v)]);`;
}

function header(id: TemplateId, event: EventDef, doc: string): string {
  return `// ${TEMPLATE_LABELS[id]}: ${doc}
// Written for ${event.eventType} (${event.signal}).
// handler gets {payload, headers, url, event_type} and returns it changed; set webhook.cancel = true to send nothing.
`;
}

const BODIES: Record<TemplateId, (event: EventDef, facts: Fact[]) => string> = {
  slack: (event, facts) => `${header('slack', event, 'text for notifications, Block Kit blocks for the message.')}function handler(webhook) {
${prelude(event, facts)}
  webhook.payload = {
    text: title + (facts.length ? ': ' + facts.map(([k, v]) => k + ' ' + v).join(', ') : ''),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
      ...(facts.length
        ? [{ type: 'section', fields: facts.slice(0, 10).map(([k, v]) => ({ type: 'mrkdwn', text: '*' + k + '*\\n' + v.slice(0, 1900) })) }]
        : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: webhook.event_type + ' · ' + (meta.time || '') }] },
    ],
  };
  return webhook;
}
`,
  teams: (event, facts) => `${header('teams', event, 'a message with one Adaptive Card, for a Teams workflow ("When a Teams webhook request is received").')}function handler(webhook) {
${prelude(event, facts)}
  webhook.payload = {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true },
            { type: 'FactSet', facts: facts.map(([k, v]) => ({ title: k, value: v })) },
            { type: 'TextBlock', text: webhook.event_type + ' · ' + (meta.time || ''), isSubtle: true, size: 'Small', wrap: true },
          ],
        },
      },
    ],
  };
  return webhook;
}
`,
  discord: (event, facts) => `${header('discord', event, 'content with one embed.')}function handler(webhook) {
${prelude(event, facts)}
  webhook.payload = {
    content: title,
    embeds: [
      {
        title: title.slice(0, 256),
        fields: facts.slice(0, 25).map(([k, v]) => ({ name: k.slice(0, 256), value: v.slice(0, 1024), inline: true })),
        footer: { text: webhook.event_type },
        ...(meta.time ? { timestamp: meta.time } : {}),
      },
    ],
  };
  return webhook;
}
`,
  'google-chat': (event, facts) => `${header('google-chat', event, 'a text message (*bold* and line breaks are formatted).')}function handler(webhook) {
${prelude(event, facts)}
  webhook.payload = {
    text: ['*' + title + '*', ...facts.map(([k, v]) => k + ': ' + v)].join('\\n'),
  };
  return webhook;
}
`,
  flat: (event, facts) => `${header('flat', event, 'one level of keys (nested keys joined with "_"), easy to map in a no-code tool.')}function handler(webhook) {
  const p = webhook.payload;
  const flat = {
    event_type: webhook.event_type,
${facts.map((f) => `    ${snake(f.label)}: ${access(f.path)},`).join('\n')}
  };
  // Then every other field, nested keys joined with "_"; lists as JSON text.
  (function walk(value, prefix) {
    for (const [k, v] of Object.entries(value)) {
      const key = prefix ? prefix + '_' + k : k;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) walk(v, key);
      else if (!(key in flat)) flat[key] = Array.isArray(v) ? JSON.stringify(v) : v;
    }
  })(p, '');
  webhook.payload = flat;
  return webhook;
}
`,
};

const snake = (label: string) => label.toLowerCase().replace(/[^a-z0-9]+/g, '_');

/** The template's JavaScript for this event. */
export function templateSource(id: TemplateId, event: EventDef): string {
  return BODIES[id](event, factsFor(event));
}
