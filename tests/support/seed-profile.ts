/**
 * A profile that already holds many items, written straight into its store the way a long-used
 * profile holds them: one feed account (its feed served by the caller) and `count` entries, one a
 * minute going back from now. For the list's e2e test and benches, where syncing 100,000 items
 * through a server first would measure the sync, not the list.
 */
import { profilePaths } from '../../src-main/hub/profile.ts';
import { InboxStore, itemId, type NewItem } from '../../src-main/store/inbox-store.ts';

export const SEED_ACCOUNT_ID = 'seeded-feed';

export interface SeededProfile {
  accountId: string;
  /** Titles of the newest and the oldest item. */
  newestTitle: string;
  oldestTitle: string;
}

/** The title of the entry `n` places from the oldest (1 is the oldest). */
export const seededTitle = (n: number) => `Release note ${n.toLocaleString('en-US')}`;

export function seedFeedProfile(profileDir: string, feedUrl: string, count: number, now = Date.now()): SeededProfile {
  const store = InboxStore.open(profilePaths(profileDir).database);
  try {
    store.insertAccount({
      id: SEED_ACCOUNT_ID,
      kind: 'feed',
      displayName: 'Release notes',
      createdAt: now - count * 60_000,
      settings: { url: feedUrl, intervalSeconds: 3600, folder: '', alertLevel: 'silent', keywords: [], auth: 'none' },
      settingsVersion: 1,
    });
    const BATCH = 5_000;
    for (let start = 1; start <= count; start += BATCH) {
      const batch: NewItem[] = [];
      for (let n = start; n < Math.min(count + 1, start + BATCH); n++) {
        const externalId = `entry-${n}`;
        batch.push({
          id: itemId(SEED_ACCOUNT_ID, externalId),
          accountId: SEED_ACCOUNT_ID,
          externalId,
          scope: 'feed',
          source: 'feed',
          conversationKey: `feed:${externalId}`,
          sender: 'Release notes',
          title: seededTitle(n),
          snippet: `What changed in build ${n}: fixes, small features and the usual care.`,
          timestamp: now - (count - n + 1) * 60_000,
          unread: n % 3 === 0,
          priority: false,
          origin: { kind: 'feed', guid: `urn:seed:${n}` },
        });
      }
      store.upsertItems(batch);
    }
    // Indexed for search as a long-used profile is, so the hub starts idle instead of indexing them.
    store.catchUpSearchIndex();
    return { accountId: SEED_ACCOUNT_ID, newestTitle: seededTitle(count), oldestTitle: seededTitle(1) };
  } finally {
    store.close();
  }
}
