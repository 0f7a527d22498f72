import type { ServerSettings } from './child.js';
import { startLibraryServer } from './library-server.js';
import { startWorkerCluster } from './worker-cluster.js';
import { startSocketIoServer } from './socketio-server.js';
import { startWsServer } from './ws-server.js';

/**
 * The contenders a benchmark server process can run; LW is the library on worker
 * processes, LS the library with every client a session client (protocol 1.2).
 */
export type Contender = 'L' | 'LW' | 'LS' | 'B0' | 'B1' | 'S';

const [contender, settingsJson] = process.argv.slice(2) as [Contender, string];
const settings = JSON.parse(settingsJson) as ServerSettings;

const starters: Record<Contender, () => Promise<void>> = {
  L: () => startLibraryServer(settings),
  LW: () => startWorkerCluster(settings),
  LS: () => startLibraryServer(settings),
  B0: () => startWsServer(false),
  B1: () => startWsServer(true),
  S: () => startSocketIoServer(),
};

starters[contender]().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
