'use client';
// The webhooks list: the shared target table, by event.
import { updateWebhookAction } from '@/app/(admin)/webhooks/update-webhook';
import type { Health } from '@/components/ui/health';
import { targetColumns, type TargetKind } from '@/components/targets/target-columns';
import { TargetTable } from '@/components/targets/target-table';

export interface WebhookRow {
  id: string;
  description: string;
  eventType: string;
  eventLabel: string;
  url: string;
  enabled: boolean;
  health: Health;
  transformed: boolean;
}

const kind: TargetKind<WebhookRow> = {
  noun: 'webhook',
  typeWord: 'event',
  type: (r) => r.eventType,
  typeLabel: (r) => r.eventLabel,
  lastHeader: 'Last delivery',
  save: updateWebhookAction,
};

const columns = targetColumns(kind);

export function WebhookTable({ rows }: { rows: WebhookRow[] }) {
  return <TargetTable rows={rows} kind={kind} columns={columns} />;
}
