/**
 * What every test server's setup needs: a free TCP port on 127.0.0.1, and a wait until the server
 * greets on it (Dovecot's "* OK … ready", Postfix's "220 …") rather than merely accepts.
 */
import { createConnection, createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface GreetingWait {
  /** The first line that means the server is ready. */
  ready: RegExp;
  /** What to send after the first line, to leave politely ("QUIT", "x LOGOUT"). */
  goodbye: string;
  /** Names the greeting in the error ("220 banner", "ready greeting"). */
  what: string;
  timeoutMs: number;
  /** Called before each try: throws when the server's process is already gone. */
  stillRunning?: () => void;
}

export async function waitForGreeting(port: number, wait: GreetingWait): Promise<void> {
  const deadline = Date.now() + wait.timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    wait.stillRunning?.();
    const greeting = await readFirstLine(port, wait.goodbye).catch((e: Error) => e.message);
    if (wait.ready.test(greeting)) return;
    last = greeting;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${wait.what} on 127.0.0.1:${port} (${last.trim()})`);
}

function readFirstLine(port: number, goodbye: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(data);
    }, 1_000);
    socket.on('data', (chunk) => {
      data += chunk.toString();
      if (data.includes('\r\n')) {
        clearTimeout(timer);
        socket.end(`${goodbye}\r\n`);
        resolve(data);
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
