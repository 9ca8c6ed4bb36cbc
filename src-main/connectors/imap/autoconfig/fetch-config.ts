/**
 * One GET of a config-v1.1 file: at most MAX_CONFIG_BYTES read (a larger answer is cut off and
 * refused, never buffered whole), 10 s in all, and an https address may not redirect to plain http.
 * "Nothing there" (404, DNS name unknown, refused) and "there but unusable" are told apart, so the
 * report can say which.
 */
import { ConfigFileError, MAX_CONFIG_BYTES } from './config-file.ts';

export const FETCH_TIMEOUT_MS = 10_000;

export type Fetched = { kind: 'text'; text: string } | { kind: 'nothing'; detail: string };

export async function fetchConfig(url: string, signal: AbortSignal): Promise<Fetched> {
  const timeout = AbortSignal.timeout(FETCH_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(url, {
      signal: AbortSignal.any([signal, timeout]),
      headers: { accept: 'application/xml, text/xml;q=0.9, */*;q=0.1', 'user-agent': 'Groundswell (mail autoconfig)' },
      redirect: 'follow',
    });
  } catch (error) {
    if (timeout.aborted) return { kind: 'nothing', detail: `no answer within ${FETCH_TIMEOUT_MS / 1000} s` };
    return { kind: 'nothing', detail: networkDetail(error) };
  }
  if (new URL(url).protocol === 'https:' && new URL(response.url || url).protocol !== 'https:') {
    await response.body?.cancel();
    throw new ConfigFileError(`it redirected to an unencrypted address (${response.url}), which is not followed`);
  }
  if (response.status === 404 || response.status === 410) {
    await response.body?.cancel();
    return { kind: 'nothing', detail: `no file there (HTTP ${response.status})` };
  }
  if (!response.ok) {
    await response.body?.cancel();
    return { kind: 'nothing', detail: `HTTP ${response.status}` };
  }
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'text/html' || type === 'application/xhtml+xml' || type.startsWith('image/') || type === 'application/json') {
    await response.body?.cancel();
    throw new ConfigFileError(`it answered with ${type}, not a mail configuration (XML)`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > MAX_CONFIG_BYTES) {
    await response.body?.cancel();
    throw new ConfigFileError(`the file is ${Math.round(declared / 1024 / 1024)} MB, larger than the ${MAX_CONFIG_BYTES / 1024 / 1024} MB a mail configuration may be`);
  }
  return { kind: 'text', text: await readCapped(response) };
}

async function readCapped(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_CONFIG_BYTES) {
      await reader.cancel();
      throw new ConfigFileError(`the file is larger than the ${MAX_CONFIG_BYTES / 1024 / 1024} MB a mail configuration may be; reading stopped there`);
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
}

function networkDetail(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'no such host';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL')) return `its TLS certificate was not accepted (${code})`;
  return code || cause?.message || (error as Error).message;
}
