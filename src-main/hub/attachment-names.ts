/**
 * An attachment's file name as a sender wrote it is untrusted: it may name folders ("../../.bashrc"),
 * hide its real extension behind spaces or a right-to-left mark ("invoice‮fdp.exe"), or be a device
 * name on Windows. Cleaned here once, so the list, the save dialog, the download and the CLI agree.
 */

/** Extensions whose file runs code, or opens something that does, when opened. */
const RUNS_CODE = new Set([
  'exe', 'com', 'scr', 'pif', 'bat', 'cmd', 'msi', 'msp', 'msc', 'cpl', 'dll', 'sys', 'hta', 'jar', 'js', 'jse', 'mjs', 'cjs',
  'vbs', 'vbe', 'wsf', 'wsh', 'ws', 'ps1', 'psm1', 'psd1', 'lnk', 'url', 'inf', 'reg', 'scf', 'desktop', 'sh', 'bash', 'zsh',
  'csh', 'ksh', 'command', 'tool', 'app', 'pkg', 'dmg', 'deb', 'rpm', 'appimage', 'run', 'bin', 'elf', 'py', 'pyw', 'pl',
  'rb', 'php', 'html', 'htm', 'xhtml', 'shtml', 'mht', 'mhtml', 'svg', 'xml', 'xsl', 'hta', 'chm', 'iso', 'img', 'vhd', 'vhdx',
  'docm', 'xlsm', 'pptm', 'dotm', 'xltm', 'xlam', 'ppam', 'action', 'workflow', 'applescript', 'scpt', 'gadget', 'appref-ms', 'library-ms',
]);

const RESERVED_WINDOWS = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
const MAX_NAME_CHARS = 180;

/** A name that is safe to save under as it is: no folders, controls, bidi tricks or trailing dots. */
export function cleanFileName(raw: string, fallback = 'attachment'): string {
  let name = raw
    .normalize('NFC')
    // Bidi controls and zero-width characters disguise the real extension.
    .replace(/[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
    .split('')
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)
    .join('')
    .replace(/[/\\:*?"<>|]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+|[.\s]+$/g, '');
  if (name === '') name = fallback;
  if (RESERVED_WINDOWS.test(name)) name = `_${name}`;
  if (name.length > MAX_NAME_CHARS) {
    const dot = name.lastIndexOf('.');
    const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
    name = name.slice(0, MAX_NAME_CHARS - extension.length) + extension;
  }
  return name;
}

/** Whether opening this file may run code (judged by the cleaned name, and by a type that says so). */
export function runsCode(name: string, contentType: string): boolean {
  const dot = name.lastIndexOf('.');
  const extension = dot >= 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (RUNS_CODE.has(extension)) return true;
  return /^(application\/(x-msdownload|x-msdos-program|x-sh|x-executable|javascript|x-javascript|ecmascript|hta|x-ms-shortcut|java-archive|vnd\.microsoft\.portable-executable)|text\/(html|javascript)|image\/svg\+xml)$/i.test(contentType.trim());
}
