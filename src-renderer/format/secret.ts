/** Server messages are shown as text; should one ever quote the password, it is blanked out. */
export function withoutSecret(message: string, secret: string): string {
  return secret.length >= 3 ? message.split(secret).join('••••') : message;
}
