// The audit context of a request: its actor and its client address (as TRUST_PROXY left it).
import { headers } from 'next/headers';
import { clientAddress } from '../auth/trust-proxy';
import type { Actor } from '../auth/roles';
import { actorOf, type Admin } from '../auth/session';
import type { AuditContext } from './record';

const addressOf = (h: Headers) => {
  const a = clientAddress(h);
  return a === 'unknown' ? null : a;
};

/** For a route handler: the actor withAdmin found and the request's address. */
export const auditOf = (req: Request, actor: Actor): AuditContext => ({ actor, ip: addressOf(req.headers) });

/** For a server action: the signed-in user and the address of the request that carried the action. */
export async function actionAudit(admin: Admin): Promise<AuditContext> {
  return { actor: actorOf(admin), ip: addressOf(await headers()) };
}
