/**
 * Where matrix-js-sdk's log lines go. Some of its modules (MatrixRTC among them) log through its
 * global loglevel logger straight to the console, which would mix into the CLI's output; its child
 * loggers copy the root's method factory when they are made, so a silent factory silences them all.
 * A client's own lines go to our log instead.
 */
import { logger as sdkGlobalLogger } from 'matrix-js-sdk/lib/logger.js';
import type { Logger as SdkLogger } from 'matrix-js-sdk/lib/logger.js';
import type { Logger } from '../../common/logger.ts';

export function silenceSdkConsoleLogging(): void {
  const root = sdkGlobalLogger as unknown as { methodFactory: () => () => void; rebuild(): void };
  root.methodFactory = () => () => undefined;
  root.rebuild();
}

export function sdkLogger(log: Logger): SdkLogger {
  // Never throws: the Rust crypto logs from inside its WebAssembly calls, and an exception thrown back
  // into one leaves it half-done, breaking the crypto of every account in the process from then on.
  const forward = (level: 'debug' | 'warn') => (...parts: unknown[]) => {
    try {
      log[level]('matrix-js-sdk', { message: parts.map(String).join(' ').slice(0, 500) });
    } catch {
      // The line is lost; the log file may be gone or the disk full.
    }
  };
  const child: SdkLogger = { trace: forward('debug'), debug: forward('debug'), info: forward('debug'), warn: forward('debug'), error: forward('warn'), getChild: () => child };
  return child;
}
