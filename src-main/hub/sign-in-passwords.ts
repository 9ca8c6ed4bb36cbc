/**
 * Passwords typed moments ago to add an account or sign in again, held in memory for the server's
 * follow-up prompt (Matrix cross-signing asks again) and handed out once.
 */

/** How long a just-typed password stays in memory. */
const SIGN_IN_PASSWORD_TTL_MS = 5 * 60_000;

export class SignInPasswords {
  readonly #held = new Map<string, { password: string; until: number }>();

  hold(accountId: string, password: string, now = Date.now()): void {
    for (const [id, held] of this.#held) if (held.until <= now) this.#held.delete(id);
    this.#held.set(accountId, { password, until: now + SIGN_IN_PASSWORD_TTL_MS });
  }

  take(accountId: string, now = Date.now()): string | undefined {
    const held = this.#held.get(accountId);
    this.#held.delete(accountId);
    return held && held.until > now ? held.password : undefined;
  }

  forget(accountId: string): void {
    this.#held.delete(accountId);
  }

  clear(): void {
    this.#held.clear();
  }
}
