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
  const forward = (level: 'debug' | 'warn') => (...parts: unknown[]) => log[level]('matrix-js-sdk', { message: parts.map(String).join(' ').slice(0, 500) });
  const child: SdkLogger = { trace: forward('debug'), debug: forward('debug'), info: forward('debug'), warn: forward('debug'), error: forward('warn'), getChild: () => child };
  return child;
}
