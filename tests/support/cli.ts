/** Runs the real `groundswell` CLI as a child process, the way a user would. */
import { spawn } from 'node:child_process';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/groundswell.js', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** Removes every account of a profile through the CLI (talking to its running hub), so tokens leave the keychain too. */
export async function removeAllAccounts(profileDir: string): Promise<void> {
  const accounts = JSON.parse((await runCli(['account', 'list', '--json', '--profile', profileDir])).stdout || '[]') as { account: { id: string } }[];
  for (const view of accounts) await runCli(['account', 'remove', view.account.id, '--profile', profileDir]);
}
