/** The paperclip of a mail with attachments, drawn like the source icons (no emoji font needed). */
export function PaperclipIcon({ label }: { label?: string }) {
  const a11y = label === undefined ? { 'aria-hidden': true as const } : { role: 'img', 'aria-label': label };
  return (
    <svg className="paperclip-icon" viewBox="0 0 20 20" width="14" height="14" focusable="false" {...a11y}>
      {label !== undefined ? <title>{label}</title> : null}
      <path d="M13.5 6.5l-6 6a1.8 1.8 0 0 0 2.5 2.5l6.5-6.5a3.2 3.2 0 0 0-4.5-4.5L5.5 10.5a4.6 4.6 0 0 0 6.5 6.5l5-5" />
    </svg>
  );
}
