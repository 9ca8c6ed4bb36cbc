/**
 * What the Electron main process and the hub process say to each other: the contract's own frames
 * (ClientFrame down, ServerFrame up) plus a few control messages about the process itself.
 * Everything is plain JSON so the same messages cross Electron's parentPort and Node's IPC channel.
 */
import type { ClientFrame, ServerFrame } from '../../src-shared/api.ts';

export interface HubProcessArgs {
  profileDir: string;
  /** The built renderer, which the local endpoint serves as `groundswell serve` does. */
  uiDir: string;
}

export function hubProcessArgs(args: HubProcessArgs): string[] {
  return [`--profile=${args.profileDir}`, `--ui-dir=${args.uiDir}`];
}

export function parseHubProcessArgs(argv: readonly string[]): HubProcessArgs {
  const value = (name: string) => argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const profileDir = value('profile');
  const uiDir = value('ui-dir');
  if (!profileDir || !uiDir) throw new Error('usage: child --profile=DIR --ui-dir=DIR');
  return { profileDir, uiDir };
}

/** Parent → child. */
export type ParentMessage = ClientFrame | { control: 'shutdown' };

/** Why the hub process could not start; 'profile-locked' means another Groundswell holds the profile. */
export type StartFailure = 'profile-locked' | 'open-failed';

/** Child → parent. */
export type ChildMessage =
  | ServerFrame
  /** The hub is open, its local endpoint listens and its connectors are starting: calls may come. */
  | { control: 'ready'; pid: number }
  | { control: 'start-failed'; reason: StartFailure; message: string };

/**
 * The one message channel the child has to its parent, whichever way it was started. Electron's
 * utilityProcess gives the child `process.parentPort`; Node's child_process.fork gives `process.send`.
 */
export interface ParentChannel {
  send(message: ChildMessage): Promise<void>;
  onMessage(listener: (message: unknown) => void): void;
  /** The parent went away (Node's IPC channel closed). Electron kills its utility processes itself. */
  onGone(listener: () => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
}

export function connectToParent(proc: NodeJS.Process = process): ParentChannel {
  const electronPort = (proc as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      send: async (message) => electronPort.postMessage(message),
      onMessage: (listener) => void electronPort.on('message', (event) => listener(event.data)),
      onGone: () => undefined,
    };
  }
  if (!proc.send) throw new Error('The hub process must be started by Groundswell (utilityProcess.fork or child_process.fork), not run directly.');
  return {
    send: (message) =>
      new Promise<void>((resolve) => {
        if (!proc.connected) return resolve();
        // The callback fires once the message is handed to the channel, so an exit right after loses nothing.
        proc.send!(message, undefined, undefined, () => resolve());
      }),
    onMessage: (listener) => void proc.on('message', listener),
    onGone: (listener) => void proc.on('disconnect', listener),
  };
}

export function isClientFrame(message: unknown): message is ClientFrame {
  return typeof message === 'object' && message !== null && typeof (message as { id?: unknown }).id === 'number' && 'call' in message;
}

export function isShutdown(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { control?: unknown }).control === 'shutdown';
}
