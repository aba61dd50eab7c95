'use server';
// The body a webhook for this event receives (sample data), for the editor's live preview.
import { requireAdminAction } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { platformCatalogReady } from '@/lib/platforms/catalog';
import { findEvent } from '@/lib/catalog';
import { sampleWebhookPayload } from '@/lib/manage/samples';

const SAMPLE_ID = '0b7c8d4e-5f6a-4b1c-9d2e-3f4a5b6c7d8e';

export async function previewWebhookAction(eventType: string): Promise<Record<string, unknown> | null> {
  await requireAdminAction('viewer');
  await platformCatalogReady(await getDb()); // a platform's own types too
  const event = findEvent(eventType);
  return event ? sampleWebhookPayload(event, SAMPLE_ID) : null;
}
