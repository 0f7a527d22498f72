import { ECHO_SELF } from './handler-ids.js';

/** What a benchmark server process tells the runner, over its IPC channel. */
export type ServerReport =
  | { type: 'ready'; port: number }
  | { type: 'usage'; cpuMicros: number; heapBytes: number; rssBytes: number };

/** What the runner asks of a benchmark server process. */
export type ServerRequest = { type: 'usage' };

/** Settings every contender's server is started with. */
export interface ServerSettings {
  /** Announce joins and leaves (the library only; the baselines never announce). */
  announceClients: boolean;
  /** Join a cluster over this Redis (the library only). */
  redisUrl?: string;
  /** LW: how many worker processes share the port, linked over IPC. */
  workers?: number;
  /** Set in each LW worker: link to the others through the primary. */
  workerBackplane?: boolean;
  /** Every room keeps a history (protocol 1.2): room casts are publications (the library only). */
  history?: boolean;
  /** Prometheus metrics on (the library only), scraped once a second as a Prometheus server would (more often than most). */
  metrics?: boolean;
  /** OpenTelemetry traces on (the library only), with an SDK that records every span and exports none. */
  tracing?: boolean;
}

type UsageReport = Extract<ServerReport, { type: 'usage' }>;

/**
 * Reports `port`, then answers usage requests until the runner disconnects; `usage`
 * replaces this process's own figures (a primary sums its workers').
 */
export function serve(port: number, close: () => Promise<void> | void, usage?: () => Promise<UsageReport>): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (request: ServerRequest) => {
    if (request.type !== 'usage') return;
    if (usage !== undefined) {
      void usage().then(report);
      return;
    }
    gc?.();
    const { user, system } = process.cpuUsage();
    const { heapUsed, rss } = process.memoryUsage();
    report({ type: 'usage', cpuMicros: user + system, heapBytes: heapUsed, rssBytes: rss });
  });
  process.on('disconnect', () => {
    void Promise.resolve(close()).finally(() => process.exit(0));
  });
  report({ type: 'ready', port });
}

function report(message: ServerReport): void {
  process.send?.(message);
}

/** The response frame the baselines cast for a request: the library's frame, built by hand. */
export function responseFrameFor(senderId: string, request: string): string {
  const { HandlerID, Body } = JSON.parse(request) as { HandlerID: number; Body: string | null };
  return (
    `{"SenderID":${JSON.stringify(senderId)},"HandlerID":${HandlerID},"CastType":0,` +
    `"CastFor":null,"Body":${JSON.stringify(Body)}}`
  );
}

/** Whether a request asks for a Self echo, which the baselines answer to the sender alone. */
export function isSelfRequest(request: string): boolean {
  return request.startsWith(`{"HandlerID":${ECHO_SELF},`);
}
