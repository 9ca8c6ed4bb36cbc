/** Where an account's secrets live in the keychain: its own under the account id, further ones (an SMTP password) beside it. */
export function extraSecretKey(accountId: string, name: string): string {
  return `${accountId}:${name}`;
}
