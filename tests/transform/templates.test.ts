// Every template of the editor's picker (SPEC §14), for every event of the catalog, run in the sandbox on that
// event's sample, produces its service's documented shape (tests/transform/shapes.ts) with the event's own
// fields in it.
import { describe, expect, it } from 'vitest';
import { EVENTS, findEvent } from '../../lib/catalog';
import { sampleWebhookPayload } from '../../lib/manage/samples';
import { transform } from '../../lib/transform/run';
import { factsFor, TEMPLATE_IDS, templateSource, type TemplateId } from '../../lib/transform/templates';
import { discordMessage, flatMessage, googleChatMessage, slackMessage, teamsMessage } from './shapes';

const SHAPES = { slack: slackMessage, teams: teamsMessage, discord: discordMessage, 'google-chat': googleChatMessage, flat: flatMessage } as const;

async function run(id: TemplateId, eventType: string) {
  const event = findEvent(eventType)!;
  const r = await transform('templates', templateSource(id, event), {
    payload: sampleWebhookPayload(event),
    headers: { 'content-type': 'application/json' },
    url: 'https://hooks.example.com/services/T000/B000/XXXX',
    event_type: event.eventType,
  });
  if (!r.ok) throw new Error(`${id} on ${eventType}: ${r.error}`);
  return r.output;
}

describe('templates', () => {
  it.each(TEMPLATE_IDS)('%s: the documented shape for every event of the catalog', async (id) => {
    for (const event of EVENTS) {
      const out = await run(id, event.eventType);
      const check = SHAPES[id].safeParse(out.payload);
      expect(check.success, `${id} on ${event.eventType}: ${check.error?.message}`).toBe(true);
      expect(out.cancel).toBe(false);
      expect(out.url).toBe('https://hooks.example.com/services/T000/B000/XXXX');
    }
  });

  it('are written for the event’s own fields: learner, course, grade', async () => {
    const grade = 'org.openedx.learning.course.persistent_grade_summary.changed.v1';
    expect(factsFor(findEvent(grade)!).map((f) => f.label)).toEqual(expect.arrayContaining(['Course', 'Grade', 'Result']));
    const slack = (await run('slack', grade)).payload as { text: string; blocks: { type: string; fields?: { text: string }[] }[] };
    expect(slack.text).toContain('Demonstration Course');
    expect(slack.blocks.find((b) => b.type === 'section')!.fields!.map((f) => f.text)).toContain('*Grade*\n87 %');

    const enrollment = 'org.openedx.learning.course.enrollment.created.v1';
    expect(templateSource('teams', findEvent(enrollment)!)).toContain('p.enrollment?.user?.pii?.username');
    const teams = (await run('teams', enrollment)).payload as { attachments: { content: { body: { type: string; facts?: { title: string; value: string }[] }[] } }[] };
    const facts = teams.attachments[0]!.content.body.find((b) => b.type === 'FactSet')!.facts!;
    expect(facts).toEqual(expect.arrayContaining([{ title: 'Learner', value: 'jdoe' }, { title: 'Course', value: 'Demonstration Course' }, { title: 'Mode', value: 'audit' }]));

    const discord = (await run('discord', 'org.openedx.learning.certificate.created.v1')).payload as { embeds: { fields: { name: string; value: string }[] }[] };
    expect(discord.embeds[0]!.fields).toEqual(expect.arrayContaining([{ name: 'Status', value: 'downloadable', inline: true }]));

    const chat = (await run('google-chat', enrollment)).payload as { text: string };
    expect(chat.text.split('\n')[0]).toBe('*Course enrollment created*');
    expect(chat.text).toContain('Learner: jdoe');

    const flat = (await run('flat', enrollment)).payload as Record<string, unknown>;
    expect(flat).toMatchObject({ event_type: enrollment, learner: 'jdoe', course: 'Demonstration Course', enrollment_user_pii_email: 'jane.doe@example.com' });
  });
});
