// What an API key form and the API accept.
import { z } from 'zod';
import { SCOPES } from '../auth/api-keys';

export const apiKeyInput = z.object({
  name: z.string().trim().min(1, 'Give the key a name, like "LMS production".').max(100, 'Keep the name under 100 characters.'),
  scopes: z.array(z.enum(SCOPES)).min(1, 'Choose at least one scope.'),
  /** Days until the key stops working; absent: never. */
  expires_in_days: z.coerce.number().int('Choose a whole number of days.').min(1, 'A key must live at least a day.').max(3650, 'Ten years at most.').optional(),
});
export type ApiKeyInput = z.infer<typeof apiKeyInput>;
