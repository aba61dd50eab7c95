'use server';
// Sign-out.
import { signOut } from '@/lib/auth';

export async function logout() {
  await signOut({ redirectTo: '/login' });
}
