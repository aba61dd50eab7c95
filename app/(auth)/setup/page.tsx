import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getDb } from '@/lib/db';
import { hasAdmin } from '@/lib/auth/users';
import { SetupForm } from '@/components/auth/setup-form';

export const metadata: Metadata = { title: 'Welcome' };

export default async function SetupPage() {
  const { db } = await getDb();
  if (await hasAdmin(db)) redirect('/login');
  return <SetupForm />;
}
