/**
 * Who the app is to the OS. The id must be electron-builder.yml's `appId`: Windows shows a
 * notification only for an AppUserModelId that its Start-menu shortcut carries, and the installer
 * gives the shortcut that appId (app-identity.test.ts checks they agree).
 */
export const APP_ID = 'org.groundswell.desktop';
export const APP_NAME = 'Groundswell';
