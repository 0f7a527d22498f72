// The module's options: the core's settings, the transport's, and where to listen.
import type { BroadcasterSettings } from '../core/core-options.js';
import type { BroadcasterAdminOptions } from '../admin/admin-options.js';
import type { BroadcasterAsyncApiOptions } from '../asyncapi/asyncapi-options.js';
import type { BroadcasterMetricsOptions } from '../metrics/metrics-options.js';
import type { TransportSettings } from '../ws/transport-options.js';

/**
 * Options of `BroadcasterModule.forRoot()` / `forRootAsync()`: the core's settings
 * ({@link BroadcasterSettings}), the WebSocket transport's ({@link TransportSettings}),
 * and where and how long the Nest endpoint runs.
 */
export interface BroadcasterModuleOptions extends BroadcasterSettings, TransportSettings {
  /**
   * A dedicated port for the WebSocket endpoint. Left out, the endpoint shares the
   * application's HTTP server and port.
   * @default undefined (share the app's HTTP server)
   */
  port?: number;
  /**
   * The address the dedicated `port` listens on, e.g. `'127.0.0.1'` to keep the endpoint
   * off the network. Only with `port`; on the application's own port, `app.listen()`
   * decides.
   * @default undefined (every interface)
   */
  host?: string;
  /**
   * On `app.close()`, how long in-flight handlers may take to finish, and then how long
   * clients get to complete the 1001 close handshake, in milliseconds each.
   * @default 10000
   */
  shutdownTimeout?: number;
  /**
   * Prometheus metrics, through `prom-client` (an optional peer dependency, loaded only
   * when this is set): `true` registers them in prom-client's global registry, the one
   * `@willsoto/nestjs-prometheus` serves at `/metrics`; or give `{ registry, prefix }`.
   * Values are read from the counters the broadcaster keeps anyway, at each scrape.
   * @default undefined (no metrics: nothing loaded, nothing measured)
   */
  metrics?: boolean | BroadcasterMetricsOptions;
  /**
   * OpenTelemetry traces, through `@opentelemetry/api` (an optional peer dependency, loaded
   * only when this is set): a consumer span per handler call (`process <HandlerID>`, guards,
   * pipes and interceptors inside it) and a producer span per `Broadcaster.cast()`, made
   * with the global tracer provider, so they cost next to nothing until the app registers
   * an OpenTelemetry SDK.
   * @default false
   */
  tracing?: boolean;
  /**
   * A live admin page on the app's HTTP server (Express): clients, frames and errors per
   * second, handlers' rates and latencies, slow clients, the largest rooms and the
   * cluster's instances, updated every second. `authorize` decides who may see it (see
   * `adminBasicAuth`); without this option there is no page.
   * @default undefined (no page)
   */
  admin?: BroadcasterAdminOptions;
  /**
   * Serves the endpoint's contract as an AsyncAPI 3.0 document (see `Broadcaster.asyncapi()`)
   * at `<path>.json` and `<path>.yaml` on the app's HTTP server; its `title`, `version`,
   * `description` and `host` are the document's defaults.
   * @default undefined (not served)
   */
  asyncapi?: BroadcasterAsyncApiOptions;
}

/** A class that supplies the options, for `forRootAsync({ useClass })` or `useExisting`. */
export interface BroadcasterOptionsFactory {
  createBroadcasterOptions(): BroadcasterModuleOptions | Promise<BroadcasterModuleOptions>;
}
