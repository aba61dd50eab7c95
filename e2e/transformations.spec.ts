// Transformations in the webhook editor (SPEC §14): pick a template, the preview shows the transformed
// request, Send test posts it to a loopback receiver that checks Slack's incoming-webhook shape; an error shows
// with its line; a cancelling transformation's delivery is logged as skipped.
import { expect, test, type Page } from '@playwright/test';
import { expectAccessible } from './axe';
import { E2E_API_KEY } from './config';
import { loopbackReceiver, shot, signInEachTest } from './helpers';

signInEachTest();

/** Slack's incoming webhook answers 200 "ok" to a message with text (and valid blocks), else 400 with why. */
function slackCheck(body: string): string | null {
  let m: { text?: unknown; blocks?: unknown };
  try {
    m = JSON.parse(body);
  } catch {
    return 'invalid_payload';
  }
  if (typeof m.text !== 'string' || !m.text) return 'no_text';
  if (m.blocks !== undefined) {
    if (!Array.isArray(m.blocks) || m.blocks.length > 50) return 'invalid_blocks';
    for (const b of m.blocks as { type?: unknown; text?: { type?: unknown; text?: unknown }; fields?: unknown; elements?: unknown }[]) {
      if (b.type === 'header' && (b.text?.type !== 'plain_text' || typeof b.text.text !== 'string')) return 'invalid_blocks';
      if (b.type === 'section' && !Array.isArray(b.fields) && typeof b.text?.text !== 'string') return 'invalid_blocks';
      if (b.type === 'context' && !Array.isArray(b.elements)) return 'invalid_blocks';
      if (!['header', 'section', 'context', 'divider'].includes(String(b.type))) return 'invalid_blocks';
    }
  }
  return null;
}

const rx = loopbackReceiver('/services/T000/B000/XXXX', (hits) => {
  const problem = slackCheck(hits.at(-1)!.body);
  return { status: problem ? 400 : 200, headers: { 'content-type': 'text/plain' }, body: problem ?? 'ok' };
});

async function codeField(page: Page) {
  return page.getByLabel('Transformation source');
}

test('pick a Slack template, see the transformed preview, send it to a Slack-shaped receiver', async ({ page }) => {
  await page.goto('/webhooks/new');
  const picker = page.getByLabel('Event');
  await picker.fill('enrollment created');
  await page.getByRole('option', { name: /Course enrollment created/ }).click();
  await page.getByLabel('Description').fill('Slack: new enrollments');
  await page.getByLabel('Webhook URL').fill(rx.url);
  const preview = page.getByTestId('body-preview');
  await expect(preview).toContainText('"event_metadata"');
  await expect(page.getByTestId('transformation-status')).toContainText('No transformation');

  // The template, written for this event's fields.
  await page.getByLabel('Templates').selectOption({ label: 'Slack incoming webhook' });
  await page.getByRole('button', { name: 'Use template' }).click();
  const code = await codeField(page);
  await expect(code).toHaveValue(/function handler\(webhook\)/);
  await expect(code).toHaveValue(/p\.enrollment\?\.user\?\.pii\?\.username/);
  await expect(page.getByTestId('transformation-status')).toContainText('Runs on the sample');
  await expect(preview).toHaveAttribute('data-transformed', 'true');
  await expect(preview).toContainText('"blocks"');
  await expect(preview).toContainText('Course enrollment created: Learner jdoe');
  await expect(preview).not.toContainText('"event_metadata"');
  await expect(page.getByTestId('preview-url')).toHaveText(rx.url);
  await shot(page, 'webhook-transformation');
  await expectAccessible(page, 'webhook editor with a transformation');

  // The keyboard passes through the code field (Tab moves on until the field is being edited).
  await page.getByLabel('Templates').focus();
  for (let i = 0; i < 5 && !(await code.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(code).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(code).not.toBeFocused();
  await expect(page.getByRole('button', { name: 'Save' })).toBeFocused();

  // Send test posts the transformed request; the receiver checks Slack's shape.
  await page.getByRole('button', { name: 'Send test' }).click();
  const result = page.getByTestId('test-result');
  await expect(result).toContainText('HTTP 200');
  await expect(page.getByTestId('test-response-body')).toContainText('ok');
  const sent = JSON.parse(rx.hits.at(-1)!.body);
  expect(slackCheck(rx.hits.at(-1)!.body)).toBeNull();
  expect(sent.text).toContain('jdoe');
  expect(sent.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Course enrollment created' } });
  expect(rx.hits.at(-1)!.headers['webhook-signature']).toMatch(/^v1,/);

  // Tab indents inside the code field.
  await code.focus();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await page.keyboard.type('// done');
  await expect(code).toHaveValue(/\n {2}\/\/ done$/);

  // A mistake: the error and its line, in the status, the gutter, the preview and Send test.
  const source = await code.inputValue();
  await code.fill(source.replace('const meta = p.event_metadata || {};', 'const meta = p.event_metadata.missing.field;'));
  await expect(page.getByTestId('transformation-status')).toContainText('line 6');
  await expect(page.getByTestId('preview-error')).toContainText("cannot read property 'field' of undefined");
  await expect(page.locator('[data-error-line]')).toHaveText('6');
  await shot(page, 'webhook-transformation-error');
  await expectAccessible(page, 'webhook editor with a failing transformation');
  await page.getByRole('button', { name: 'Send test' }).click();
  await expect(page.getByRole('region', { name: 'Send test' }).getByRole('alert')).toContainText('The transformation threw (line 6)');

  // Fixed and saved: the editor keeps the source.
  await code.fill(source);
  await expect(page.getByTestId('transformation-status')).toContainText('Runs on the sample');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/webhooks\/[0-9a-f-]{36}$/);
  await expect(await codeField(page)).toHaveValue(source);
  await page.goto('/webhooks');
  await expect(page.getByRole('row', { name: /Slack: new enrollments/ })).toContainText('transformed');
});

test('a transformation that cancels: the preview says so and the log shows the delivery as skipped', async ({ page, request }) => {
  await page.goto('/webhooks/new');
  await page.getByLabel('Event').fill('certificate created');
  await page.getByRole('option', { name: /Certificate created/ }).first().click();
  await page.getByLabel('Description').fill('Only verified certificates');
  await page.getByLabel('Webhook URL').fill(rx.url);
  await (await codeField(page)).fill('function handler(webhook) {\n  webhook.cancel = webhook.payload.certificate.mode !== "honor";\n  return webhook;\n}');
  await expect(page.getByTestId('preview-cancelled')).toBeVisible();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/webhooks\/[0-9a-f-]{36}$/);

  const res = await request.post('/api/events', {
    headers: { authorization: `Bearer ${E2E_API_KEY}` },
    data: {
      event_type: 'org.openedx.learning.certificate.created.v1',
      data: {
        certificate: {
          user: { id: 7, is_active: true, pii: { username: 'ada', email: 'ada@example.com', name: 'Ada' } },
          course: { course_key: 'course-v1:edX+DemoX+Demo_Course', display_name: 'Demo', start: null, end: null },
          mode: 'verified',
          grade: '0.9',
          current_status: 'downloadable',
          download_url: '',
          name: 'Ada',
        },
      },
    },
  });
  expect(res.status()).toBe(202);
  await page.goto('/deliveries?status=skipped');
  await expect(page.getByTestId('hourly-chart')).toContainText('Skipped 1');
  const row = page.getByTestId('delivery-row').first();
  await expect(row).toContainText('skipped');
  await expect(row).toContainText('cancel: true');
  await shot(page, 'deliveries-skipped');
  await row.getByTestId('delivery-link').click();
  await expect(page.getByTestId('transformation-outcome')).toContainText('cancelled this delivery');
  await expect(page.getByRole('button', { name: 'Retry' })).toHaveCount(0);
  await shot(page, 'delivery-skipped');
});
