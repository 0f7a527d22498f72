import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServerReport, ServerSettings } from '../servers/child.js';
import type { Contender } from '../servers/main.js';

const SERVER_MAIN = fileURLToPath(new URL('../servers/main.js', import.meta.url));

/** CPU time and memory of a server process at one moment. */
export interface Usage {
  cpuMicros: number;
  heapBytes: number;
  rssBytes: number;
}

/** A contender's server, running in a process of its own. */
export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static start(contender: Contender, settings: ServerSettings): Promise<ServerProcess> {
    const child = fork(SERVER_MAIN, [contender, JSON.stringify(settings)], {
      // BENCH_SERVER_ARGS passes Node flags to the servers, e.g. "--cpu-prof" to profile them.
      execArgv: ['--expose-gc', ...(process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean)],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`${contender} server exited with ${code}`)));
      child.once('message', (report: ServerReport) => {
        if (report.type === 'ready') resolve(new ServerProcess(child, report.port));
      });
    });
  }

  /** Asks the server for its CPU time and (after a GC) its memory. */
  usage(): Promise<Usage> {
    return new Promise((resolve) => {
      const onReport = (report: ServerReport) => {
        if (report.type !== 'usage') return;
        this.child.off('message', onReport);
        resolve(report);
      };
      this.child.on('message', onReport);
      this.child.send({ type: 'usage' });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.removeAllListeners('exit');
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}
