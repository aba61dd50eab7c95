// Where a page the signed-in role does not allow sends them (the server refuses its actions anyway).
import type { Metadata } from 'next';
import { requireAdminPage } from '@/lib/auth/session';
import { ButtonLink } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/card';

export const metadata: Metadata = { title: 'Not allowed' };

export default async function NotAllowedPage({ searchParams }: { searchParams: Promise<{ needs?: string }> }) {
  const admin = await requireAdminPage();
  const { needs } = await searchParams;
  const who = needs === 'owner' ? 'an owner' : 'an editor or an owner';
  return (
    <EmptyState title="Your role does not allow this page" action={<ButtonLink href="/webhooks">Back to webhooks</ButtonLink>}>
      You are signed in as {admin.email}, a {admin.role}. That page takes {who}: ask an owner if you need it.
    </EmptyState>
  );
}
