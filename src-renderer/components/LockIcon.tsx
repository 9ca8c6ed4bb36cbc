/** The padlock that marks end-to-end encryption; always beside words that say the same, so hidden from screen readers. */
export function LockIcon({ className = '' }: { className?: string }) {
  return (
    <svg className={`lock-icon ${className}`.trim()} viewBox="0 0 16 16" width="12" height="12" focusable="false" aria-hidden="true">
      <rect x="3" y="7" width="10" height="7" rx="1.5" />
      <path d="M5.5 7V5a2.5 2.5 0 0 1 5 0v2" />
    </svg>
  );
}
