// Import from openedx-webhooks in Chromium: from the lists to the page, sentences for bad files, the preview
// (created, duplicate, unknown), confirm with a toast, the rows in the lists, and a second import creating nothing.
import fs from 'node:fs';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { E2E_API_KEY } from './config';
import { shot, signInEachTest } from './helpers';

signInEachTest();

type Row = { model: string; pk: number; fields: Record<string, unknown> };
const FIXTURE: Row[] = JSON.parse(fs.readFileSync('tests/import/fixtures/openedx-webhooks-dumpdata.json', 'utf8'));
const URLS = new Set(FIXTURE.map((r) => String(r.fields.webhook_url)));
// The plugin's dump plus a webhook for a signal this service does not know.
const DUMP = [
  ...FIXTURE,
  { model: 'openedx_webhooks.webhook', pk: 7, fields: { created: '2024-03-01T09:07:12.345Z', modified: '2024-03-01T09:07:12.345Z', event: 'COURSE_CATALOG_INFO_CHANGEDD', webhook_url: 'https://catalog.example.com/hook', enabled: true, use_www_form_encoding: false } },
];
const file = (name: string, text: string) => ({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
const auth = { authorization: `Bearer ${E2E_API_KEY}` };

/** The other specs share this server's database: take away what this one imported. */
async function removeImported(request: APIRequestContext) {
  for (const kind of ['webhooks', 'webfilters']) {
    const rows = (await (await request.get(`/api/v1/${kind}`, { headers: auth })).json()) as { id: string; url: string }[];
    for (const r of rows.filter((x) => URLS.has(x.url))) await request.delete(`/api/v1/${kind}/${r.id}`, { headers: auth });
  }
}

test.afterAll(async ({ request }) => removeImported(request));

test('import the plugin dumpdata: preview, confirm, then nothing new the second time', async ({ page, request }) => {
  await removeImported(request);
  await page.goto('/webfilters');
  await page.getByRole('link', { name: 'Import from openedx-webhooks' }).click();
  await expect(page).toHaveURL(/\/import\?from=webfilters$/);
  await expect(page.getByRole('link', { name: 'Webfilters' }).first()).toBeVisible();
  await page.goto('/webhooks');
  await page.getByRole('link', { name: 'Import from openedx-webhooks' }).click();
  await expect(page).toHaveURL(/\/import$/);
  await expect(page.getByRole('heading', { name: 'Import from openedx-webhooks' })).toBeVisible();
  await expect(page.getByText('tutor local run lms ./manage.py lms dumpdata openedx_webhooks')).toBeVisible();

  // Files that are not the plugin's dump get their sentence, and no preview.
  const input = page.getByLabel('Dumpdata file');
  const error = page.getByTestId('import-error');
  await input.setInputFiles(file('notes.json', 'Traceback (most recent call last):'));
  await expect(error).toContainText('The file is not valid JSON');
  await input.setInputFiles(file('object.json', '{"model": "openedx_webhooks.webhook"}'));
  await expect(error).toContainText('This is not a Django dumpdata file: expected a JSON list of rows');
  await input.setInputFiles(file('users.json', JSON.stringify([{ model: 'auth.user', pk: 1, fields: { username: 'staff' } }])));
  await expect(error).toHaveText(/^The file holds no openedx_webhooks rows \(it holds 1 row of other models\)/);
  await expect(page.getByRole('table')).toHaveCount(0);

  // The preview: what will be created, the duplicate, the unknown event and why.
  await input.setInputFiles(file('openedx-webhooks.json', JSON.stringify(DUMP, null, 2)));
  await expect(error).toHaveCount(0);
  const summary = page.getByTestId('import-summary');
  await expect(summary).toHaveText('Would create 5 webhooks and 24 webfilters; skipped 2 (1 duplicate, 1 unknown event). Nothing was changed (dry run).');
  const rows = page.getByTestId('import-row');
  await expect(rows).toHaveCount(31);
  const results = page.getByTestId('import-result');
  await expect(results.filter({ hasText: /^Will be created$/ })).toHaveCount(29);
  await expect(rows.filter({ hasText: 'Webhook #4' })).toContainText('Duplicate');
  await expect(rows.filter({ hasText: 'Webhook #4' })).toContainText('same type, URL and settings as row #1 of this file');
  const unknown = rows.filter({ hasText: 'Webhook #7' });
  await expect(unknown).toContainText('Unknown event');
  await expect(unknown).toContainText('Unknown event "COURSE_CATALOG_INFO_CHANGEDD": no Open edX signal has that name. Closest known: COURSE_CATALOG_INFO_CHANGED');
  await expect(rows.filter({ hasText: 'StudentSettingsRenderStarted' })).toContainText('The original plugin never fired this webfilter');
  await expect(page.getByRole('button', { name: 'Import 29' })).toBeEnabled();
  await shot(page, 'import-preview');
  // Nothing is stored by the preview.
  const before = (await (await request.get('/api/v1/webhooks', { headers: auth })).json()) as { url: string }[];
  expect(before.filter((w) => URLS.has(w.url))).toEqual([]);

  // Confirm: a toast, the outcome with links to the new rows.
  await page.getByRole('button', { name: 'Import 29' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Created 5 webhooks and 24 webfilters; skipped 2 (1 duplicate, 1 unknown event).' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Imported' })).toBeVisible();
  await expect(results.filter({ hasText: /^Created$/ })).toHaveCount(29);
  await expect(page.getByRole('status')).toHaveCount(0, { timeout: 10_000 }); // the toast, out of the screenshot
  await shot(page, 'import-done');

  // The rows are in the lists; a created row's badge opens it.
  await rows.filter({ hasText: 'StudentLoginRequested' }).getByRole('link').click();
  await expect(page).toHaveURL(/\/webfilters\/[0-9a-f-]{36}$/);
  await expect(page.getByLabel('Halt on 4xx')).toBeChecked();
  await expect(page.getByLabel('Redirect on 4xx')).toHaveValue('https://lms.example.com/suspended');
  await page.goto('/webhooks');
  await expect(page.getByTestId('webhook-row').filter({ hasText: 'openedx-webhooks webhook #' })).toHaveCount(5);
  await page.goto('/webfilters');
  await expect(page.getByTestId('webfilter-row').filter({ hasText: 'Block sign-in for suspended accounts' })).toHaveCount(1);

  // The same file again: every row is already here.
  await page.goto('/import');
  await page.getByLabel('Dumpdata file').setInputFiles(file('openedx-webhooks.json', JSON.stringify(DUMP)));
  await expect(summary).toHaveText('Would create 0 webhooks and 0 webfilters; skipped 31 (30 duplicates, 1 unknown event). Nothing was changed (dry run).');
  await expect(page.getByRole('button', { name: 'Nothing to import' })).toBeDisabled();
});
