// Deliveries a webhook's transformation cancelled or failed (SPEC §14) sent nothing: retrying one would send
// the request it never made. They are refused by Retry and left out of "Retry failed…"; a replay runs the
// transformation as it is now.
import { sql } from 'drizzle-orm';
import { deliveries, type Delivery } from '../db/schema';

/** Why Retry cannot send this delivery again, or null. */
export function retryRefusal(d: Pick<Delivery, 'outcome'>): string | null {
  const t = d.outcome?.transformation;
  if (t === 'cancelled') return 'Its transformation cancelled this delivery, so there is nothing to send again: replay the event from the webhook’s page to run the transformation as it is now.';
  if (t === 'failed') return 'Its transformation failed, so nothing was sent: fix the transformation, then replay the event from the webhook’s page.';
  return null;
}

/** The SQL twin of retryRefusal: deliveries that may be retried. */
export const retryableOutcome = sql`(${deliveries.outcome} is null or ${deliveries.outcome} ->> 'transformation' is distinct from 'failed')`;
