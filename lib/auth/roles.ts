// Roles (SPEC §10): owner (everything, users and keys included), editor (webhooks, webfilters, retries, replays,
// send test), viewer (read-only). Who did a change: a signed-in user or an API key (an "admin" key acts as owner).
// No imports: client components read it too.
export const ROLES = ['owner', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 1, editor: 2, owner: 3 };

export const allows = (role: Role, needed: Role) => RANK[role] >= RANK[needed];

export interface Actor {
  type: 'user' | 'api_key';
  id: string;
  /** The user's email or the key's name. */
  label: string;
  role: Role;
}

/** The sentence a refused change or page shows. */
export function roleRefusal(role: Role, needed: Role): string {
  const who = needed === 'owner' ? 'an owner' : 'an editor or an owner';
  return `Your role (${role}) does not allow this: it takes ${who}.`;
}

export const ROLE_LABELS: Record<Role, string> = {
  owner: 'Owner: everything, including users and API keys',
  editor: 'Editor: webhooks, webfilters, retries and tests',
  viewer: 'Viewer: reads everything, changes nothing',
};
