import { describe, expect, it } from 'vitest';
import { cleanFileName, runsCode } from './attachment-names.ts';

describe('attachment file names', () => {
  it('cannot name a folder, a device, or hide an extension', () => {
    expect(cleanFileName('../../.bashrc')).toBe('_.._.bashrc');
    expect(cleanFileName('C:\\Windows\\evil.dll')).toBe('C__Windows_evil.dll');
    expect(cleanFileName('invoice\u202efdp.exe')).toBe('invoicefdp.exe');
    expect(cleanFileName('report.pdf     .exe')).toBe('report.pdf .exe');
    expect(cleanFileName('CON.txt')).toBe('_CON.txt');
    expect(cleanFileName('  ...  ')).toBe('attachment');
    expect(cleanFileName(`${'a'.repeat(400)}.pdf`)).toMatch(/^a{176}\.pdf$/);
  });

  it('marks the types that run code', () => {
    for (const name of ['setup.exe', 'run.js', 'app.desktop', 'link.lnk', 'screen.scr', 'go.bat', 'page.html', 'Page.HTM', 'x.ps1', 'doc.docm']) expect(runsCode(name, 'application/octet-stream'), name).toBe(true);
    for (const name of ['report.pdf', 'photo.jpg', 'notes.txt', 'sheet.xlsx']) expect(runsCode(name, 'application/octet-stream'), name).toBe(false);
    expect(runsCode('download', 'text/html')).toBe(true);
  });
});
