import type { SourceKind } from '../../src-shared/domain.ts';
import { missingCase } from '../../src-shared/domain.ts';

export const SOURCE_LABELS: Record<SourceKind, string> = { mail: 'Mail', chat: 'Chat', feed: 'Feed' };

function paths(kind: SourceKind) {
  switch (kind) {
    case 'mail':
      return (
        <>
          <rect x="2" y="4" width="16" height="12" rx="2" />
          <path d="M3 6l7 5 7-5" />
        </>
      );
    case 'chat':
      return <path d="M4 4h12a2 2 0 0 1 2 2v7a2 2 0 0 1-2 2H9l-4 3v-3H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z" />;
    case 'feed':
      return (
        <>
          <path d="M4 9a7 7 0 0 1 7 7" />
          <path d="M4 4a12 12 0 0 1 12 12" />
          <circle cx="5" cy="15" r="1.5" />
        </>
      );
    default:
      return missingCase(kind);
  }
}

/** `decorative` when a visible word beside it already says the same. */
export function SourceIcon({ kind, decorative = false }: { kind: SourceKind; decorative?: boolean }) {
  const a11y = decorative ? { 'aria-hidden': true as const } : { role: 'img', 'aria-label': SOURCE_LABELS[kind] };
  return (
    <svg className={`source-icon source-${kind}`} viewBox="0 0 20 20" width="16" height="16" focusable="false" {...a11y}>
      {paths(kind)}
    </svg>
  );
}
