// The documented shapes of the chat services' incoming-webhook bodies, as zod schemas (SPEC §14 templates):
// Slack (api.slack.com/messaging/webhooks, Block Kit), Microsoft Teams workflows (a message with one Adaptive
// Card attachment), Discord (discord.com/developers/docs/resources/webhook#execute-webhook), Google Chat.
import { z } from 'zod';

const plainText = z.object({ type: z.literal('plain_text'), text: z.string().min(1).max(150) });
const mrkdwn = z.object({ type: z.literal('mrkdwn'), text: z.string().min(1).max(3000) });
const slackBlock = z.discriminatedUnion('type', [
  z.object({ type: z.literal('header'), text: plainText }),
  z.object({ type: z.literal('section'), text: mrkdwn.optional(), fields: z.array(mrkdwn).min(1).max(10).optional() }),
  z.object({ type: z.literal('context'), elements: z.array(mrkdwn).min(1).max(10) }),
  z.object({ type: z.literal('divider') }),
]);
export const slackMessage = z.object({ text: z.string().min(1).max(40_000), blocks: z.array(slackBlock).max(50).optional() }).strict();

const adaptiveElement = z.discriminatedUnion('type', [
  z.object({ type: z.literal('TextBlock'), text: z.string().min(1) }).passthrough(),
  z.object({ type: z.literal('FactSet'), facts: z.array(z.object({ title: z.string(), value: z.string() })) }).passthrough(),
]);
export const teamsMessage = z
  .object({
    type: z.literal('message'),
    attachments: z
      .array(
        z.object({
          contentType: z.literal('application/vnd.microsoft.card.adaptive'),
          contentUrl: z.null().optional(),
          content: z.object({
            $schema: z.string().optional(),
            type: z.literal('AdaptiveCard'),
            version: z.string().regex(/^1\.\d$/),
            body: z.array(adaptiveElement).min(1),
          }),
        }),
      )
      .length(1),
  })
  .strict();

export const discordMessage = z
  .object({
    content: z.string().max(2000),
    embeds: z
      .array(
        z.object({
          title: z.string().max(256).optional(),
          description: z.string().max(4096).optional(),
          fields: z.array(z.object({ name: z.string().min(1).max(256), value: z.string().min(1).max(1024), inline: z.boolean().optional() })).max(25),
          footer: z.object({ text: z.string().max(2048) }).optional(),
          timestamp: z.iso.datetime().optional(),
        }),
      )
      .max(10),
  })
  .strict()
  .refine((m) => m.content.length > 0 || m.embeds.length > 0, 'Discord needs content or an embed');

export const googleChatMessage = z.object({ text: z.string().min(1).max(32_000) }).strict();

/** Flat key/value: one level, scalar values only. */
export const flatMessage = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
