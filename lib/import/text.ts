// A dumpdata file's text to JSON, with the same limits as the API: size first, then JSON. Client-safe.
import { DUMPDATA_COMMAND } from './dumpdata';

export type ParsedFile = { ok: true; value: unknown } | { ok: false; error: string };

export const tooLargeSentence = (maxBytes: number) => `The file is larger than the ${maxBytes}-byte limit (MAX_BODY_BYTES).`;

export function parseImportText(text: unknown, maxBytes: number): ParsedFile {
  if (typeof text !== 'string') return { ok: false, error: 'Choose a file to import.' };
  if (new TextEncoder().encode(text).length > maxBytes) return { ok: false, error: tooLargeSentence(maxBytes) };
  if (!text.trim()) return { ok: false, error: `The file is empty: choose the JSON file written by ${DUMPDATA_COMMAND}.` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    // `tutor local run …` may print a line or two before the JSON: start at the first line opening a list.
    const start = text.search(/^\[/m);
    if (start > 0) {
      try {
        return { ok: true, value: JSON.parse(text.slice(start)) };
      } catch {
        // Report the whole file's error below.
      }
    }
    const detail = err instanceof Error ? err.message.split('\n')[0] : 'syntax error';
    return { ok: false, error: `The file is not valid JSON (${detail}): choose the file written by ${DUMPDATA_COMMAND}.` };
  }
}

/** A file's text: UTF-8, or UTF-16 when it starts with a byte-order mark (PowerShell's `>` writes UTF-16). */
export function decodeFile(bytes: Uint8Array): string {
  const encoding = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8';
  return new TextDecoder(encoding).decode(bytes);
}
