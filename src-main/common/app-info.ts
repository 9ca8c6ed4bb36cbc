/** Name and version as the user and remote servers see them (User-Agent, About). */
import packageJson from '../../package.json' with { type: 'json' };

export const APP_NAME = 'Groundswell';
export const APP_VERSION: string = packageJson.version;
