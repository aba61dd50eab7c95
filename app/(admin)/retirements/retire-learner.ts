'use server';
// Retiring a learner from the admin app (owners, SPEC §13): a preview of what it touches, then the retirement.
import { revalidatePath } from 'next/cache';
import { actionAudit } from '@/lib/audit/context';
import { requireAdminAction } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { actionFailure, type ActionFailure } from '@/lib/manage/result';
import { previewRetirement, retire, type RetirementJson } from '@/lib/personal/retire';

export type LearnerInput = { user_id?: number; email?: string; username?: string };

export async function previewRetirementAction(input: LearnerInput): Promise<{ ok: true; events: number; deliveries: number; filter_calls: number; pending: number } | ActionFailure> {
  await requireAdminAction('owner');
  const r = await previewRetirement(await getDb(), input);
  return r.ok ? { ok: true, ...r.value } : actionFailure(r);
}

export async function retireLearnerAction(input: LearnerInput): Promise<({ ok: true } & RetirementJson) | ActionFailure> {
  const admin = await requireAdminAction('owner');
  const r = await retire(await getDb(), input, await actionAudit(admin));
  if (!r.ok) return actionFailure(r);
  revalidatePath('/retirements');
  return { ok: true, ...r.value };
}
