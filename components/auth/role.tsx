'use client';
// The signed-in user's role, for hiding or disabling what it does not allow (the server refuses it anyway).
import { createContext, useContext, type ReactNode } from 'react';
import { allows, type Role } from '@/lib/auth/roles';

const RoleContext = createContext<Role>('viewer');

export function RoleProvider({ role, children }: { role: Role; children: ReactNode }) {
  return <RoleContext.Provider value={role}>{children}</RoleContext.Provider>;
}

export const useRole = () => useContext(RoleContext);

/** True when the signed-in user's role allows what `needed` allows. */
export const useCan = (needed: Role) => allows(useContext(RoleContext), needed);

/** Renders its children only for a role that allows `role`. */
export function Can({ role, children }: { role: Role; children: ReactNode }) {
  return useCan(role) ? <>{children}</> : null;
}
