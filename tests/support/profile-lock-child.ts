/** Takes the profile lock given as argv[2], then dies the hard way, leaving the lock file behind. */
import { acquireProfileLock } from '../../src-main/hub/profile.ts';

acquireProfileLock(process.argv[2] as string);
process.kill(process.pid, 'SIGKILL');
