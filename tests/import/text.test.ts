// Reading the chosen dumpdata file on the import page: encodings, noise before the JSON, the size limit.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFile, parseImportText } from '../../lib/import/text';

const TEXT = fs.readFileSync(path.join(import.meta.dirname, 'fixtures/openedx-webhooks-dumpdata.json'), 'utf8');
const ROWS = JSON.parse(TEXT);

describe('the import file', () => {
  it('reads UTF-8, and UTF-16 with a byte-order mark (what PowerShell `>` writes)', () => {
    expect(decodeFile(Buffer.from(TEXT, 'utf8'))).toBe(TEXT);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]);
    expect(parseImportText(decodeFile(utf16), 1 << 20)).toEqual({ ok: true, value: ROWS });
    expect(decodeFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[]')]))).toBe('[]');
  });

  it('skips lines printed before the list (tutor local run), but not garbage inside it', () => {
    const noisy = `Running: docker compose run --rm lms ./manage.py lms dumpdata openedx_webhooks\n${TEXT}`;
    expect(parseImportText(noisy, 1 << 20)).toEqual({ ok: true, value: ROWS });
    const broken = parseImportText(`noise\n${TEXT.slice(0, -10)}`, 1 << 20);
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error).toMatch(/^The file is not valid JSON \(.+\): choose the file written by \.\/manage\.py lms dumpdata openedx_webhooks/);
  });

  it('names the limit for a file that is too large, and says when it is empty', () => {
    expect(parseImportText(TEXT, 100)).toEqual({ ok: false, error: 'The file is larger than the 100-byte limit (MAX_BODY_BYTES).' });
    expect(parseImportText('  \n', 100)).toMatchObject({ ok: false, error: expect.stringMatching(/^The file is empty/) });
    expect(parseImportText(42, 100)).toEqual({ ok: false, error: 'Choose a file to import.' });
  });
});
