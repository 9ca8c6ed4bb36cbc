/**
 * electron-builder's afterPack hook: flips Electron's fuses in the packaged binary, so the shipped
 * app cannot be turned into a plain Node (ELECTRON_RUN_AS_NODE, NODE_OPTIONS, --inspect) to read the
 * user's mail and keys, and loads only its own signed-off app.asar.
 *
 * Needs @electron/fuses as a devDependency (2.x is ESM-only, hence the dynamic import).
 */
import { join } from 'node:path';

export default async function flipElectronFuses(context) {
  const { flipFuses, FuseVersion, FuseV1Options } = await loadFuses();
  const platform = context.electronPlatformName;
  const name = context.packager.appInfo.productFilename;
  const binary =
    platform === 'darwin' || platform === 'mas'
      ? join(context.appOutDir, `${name}.app`)
      : platform === 'win32'
        ? join(context.appOutDir, `${name}.exe`)
        : join(context.appOutDir, context.packager.executableName);
  // Arch.arm64 in electron-builder's enum: Apple silicon refuses a binary whose ad-hoc signature no longer matches.
  const ARM64 = 3;
  await flipFuses(binary, {
    version: FuseVersion.V1,
    resetAdHocDarwinSignature: platform === 'darwin' && context.arch === ARM64,
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.EnableCookieEncryption]: true,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    // The window loads from app://, so file:// pages need none of the privileges Electron gives them by default.
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  });
}

async function loadFuses() {
  const module = await import('@electron/fuses');
  return module.flipFuses ? module : module.default;
}
