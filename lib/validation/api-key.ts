// What an API key form and the API accept.
import { z } from 'zod';
import { SCOPES } from '../auth/api-keys';

export const apiKeyInput = z.object({
  name: z.string().trim().min(1, 'Give the key a name, like "LMS production".').max(100, 'Keep the name under 100 characters.'),
  scopes: z.array(z.enum(SCOPES)).min(1, 'Choose at least one scope.'),
});
export type ApiKeyInput = z.infer<typeof apiKeyInput>;
