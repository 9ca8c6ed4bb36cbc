/**
 * A small structured logger. Lines go to a file in the profile; nothing that is a secret is ever
 * passed in, and `redact` scrubs known secrets from any text that might echo one back.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogSink {
  write(line: string): void;
}

export function fileSink(path: string): LogSink {
  mkdirSync(dirname(path), { recursive: true });
  return {
    write: (line) => {
      try {
        appendFileSync(path, line + '\n', { mode: 0o600 });
      } catch {
        // A full disk must not turn a log line into a crash; what failed is reported where it happened.
      }
    },
  };
}

export const silentSink: LogSink = { write: () => {} };

export function createLogger(sink: LogSink, options: { level?: LogLevel; scope?: string } = {}): Logger {
  const minimum = LEVEL_ORDER[options.level ?? 'info'];
  const scope = options.scope ?? 'hub';
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (LEVEL_ORDER[level] < minimum) return;
    const record = { t: new Date().toISOString(), level, scope, message, ...fields };
    sink.write(JSON.stringify(record, errorReplacer));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (child) => createLogger(sink, { ...options, scope: `${scope}.${child}` }),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
  }
  return value;
}

/** Replaces every occurrence of each secret in `text`; used on messages that come from servers. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join('«redacted»');
  }
  return out;
}
