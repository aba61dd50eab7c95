import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getDb } from '@/lib/db';
import { hasAdmin } from '@/lib/auth/users';
import { currentAdmin } from '@/lib/auth/session';
import { LoginForm } from '@/components/auth/login-form';

export const metadata: Metadata = { title: 'Sign in' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { db } = await getDb();
  if (!(await hasAdmin(db))) redirect('/setup');
  if (await currentAdmin()) redirect('/webhooks');
  const { next } = await searchParams;
  return <LoginForm next={next ?? ''} />;
}
