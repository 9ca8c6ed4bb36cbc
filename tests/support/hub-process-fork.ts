/**
 * child_process.fork behind the shape of Electron's UtilityProcess, so tests run the supervisor and
 * the real hub process (src-main/hub-process/child.ts) in plain Node, as Electron would.
 */
import { fork } from 'node:child_process';
import type { ChildLike } from '../../src-main/hub-process/supervisor.ts';

export interface ForkedHubProcess extends ChildLike {
  readonly pid: number | undefined;
  /** What it printed, for failure messages. */
  output(): string;
}

export function forkWithNode(modulePath: string, args: string[]): ForkedHubProcess {
  const child = fork(modulePath, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json' });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // A send racing the child's death reports here; the supervisor learns of the death from 'exit'.
  child.on('error', () => undefined);
  return {
    pid: child.pid,
    output: () => output,
    postMessage(message) {
      if (!child.connected) throw new Error('The hub process has no channel any more.');
      child.send(message);
    },
    on(event: 'message' | 'exit', listener: (value: never) => void) {
      if (event === 'message') child.on('message', listener as (message: unknown) => void);
      else child.on('exit', (code, signal) => (listener as (code: number) => void)(code ?? (signal === 'SIGKILL' ? 137 : 1)));
      return this;
    },
    kill: () => child.kill('SIGTERM'),
  };
}
