import cluster, { type Worker } from 'node:cluster';
import { relayWorkerBackplanes } from 'nestjs-message-broadcaster';
import { serve, type ServerReport, type ServerSettings } from './child.js';
import { startLibraryServer } from './library-server.js';

/**
 * Starts the library on `settings.workers` worker processes sharing one port (LW), linked
 * through this primary over IPC. To the runner it looks like one server: one port, and
 * usage summed over the workers.
 */
export async function startWorkerCluster(settings: ServerSettings): Promise<void> {
  if (cluster.isWorker) {
    await startLibraryServer({ ...settings, workerBackplane: true });
    return;
  }
  relayWorkerBackplanes();
  const workers: Worker[] = [];
  const ports = await Promise.all(
    Array.from({ length: settings.workers ?? 2 }, () => {
      const worker = cluster.fork();
      workers.push(worker);
      return new Promise<number>((resolve) => {
        const onReady = (report: ServerReport) => {
          if (report.type !== 'ready') return;
          worker.off('message', onReady);
          resolve(report.port);
        };
        worker.on('message', onReady);
      });
    }),
  );
  serve(ports[0], () => {
    for (const worker of workers) worker.kill();
  }, async () => {
    const each = await Promise.all(workers.map(usageOf));
    return each.reduce((sum, u) => ({
      type: 'usage' as const,
      cpuMicros: sum.cpuMicros + u.cpuMicros,
      heapBytes: sum.heapBytes + u.heapBytes,
      rssBytes: sum.rssBytes + u.rssBytes,
    }));
  });
}

type Usage = Extract<ServerReport, { type: 'usage' }>;

function usageOf(worker: Worker): Promise<Usage> {
  return new Promise((resolve) => {
    const onReport = (report: ServerReport) => {
      if (report.type !== 'usage') return;
      worker.off('message', onReport);
      resolve(report);
    };
    worker.on('message', onReport);
    worker.send({ type: 'usage' });
  });
}
