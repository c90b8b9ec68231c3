/**
 * A URL's password as *** (`scheme:[//]user:PASSWORD@…` → `scheme:[//]user:***@…`), also in a mistyped URL:
 * a message that echoes what the user gave never carries the secret in it.
 */
export const hidePassword = (text: string): string => text.replace(/^([a-z][a-z0-9+.-]*:\/*[^:@/]*):[^@/]*@/i, '$1:***@');
