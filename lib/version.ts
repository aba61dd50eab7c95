// The product version, sent in the user-agent header (a test keeps it equal to package.json's).
export const VERSION = '1.0.0';
export const USER_AGENT = `openedx-webhooks/${VERSION}`;
