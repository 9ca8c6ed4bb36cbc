/**
 * `npm start`: build, then run the desktop app. Electron fetches its binary on first launch; where
 * that cannot happen (no internet) we say so in one line and run the same hub as `serve` instead.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const args = process.argv.slice(2);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const built = spawnSync(npm, ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
if (built.status !== 0) {
  console.error('groundswell: the build failed (see above); fix it and run `npm start` again.');
  process.exit(1);
}

const electronBinary = findOrFetchElectron();
if (electronBinary) {
  const child = spawn(electronBinary, ['.', ...args], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  console.log("Electron's binary could not be downloaded (no internet access?), so Groundswell runs as `serve` in your browser instead:");
  const child = spawn(process.execPath, ['bin/groundswell.js', 'serve', ...args], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 1));
}

/** The Electron executable, downloading it once if needed; undefined when that is impossible. */
function findOrFetchElectron(): string | undefined {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
  const located = () => {
    const pathFile = join(packageDir, 'path.txt');
    if (!existsSync(pathFile)) return undefined;
    const binary = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(binary) ? binary : undefined;
  };
  const present = located();
  if (present) return present;
  const fetch = spawnSync(process.execPath, [join(packageDir, 'install.js')], { stdio: 'ignore', timeout: 180_000 });
  return fetch.status === 0 ? located() : undefined;
}
