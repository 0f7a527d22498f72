/** Options of `BroadcasterModule.forRoot()` / `forRootAsync()`. */
export interface BroadcasterModuleOptions {
  /**
   * The WebSocket endpoint's path.
   * @default '/'
   */
  path?: string;
  /**
   * A dedicated port for the WebSocket endpoint. Left out, the endpoint shares the
   * application's HTTP server and port.
   * @default undefined (share the app's HTTP server)
   */
  port?: number;
  /**
   * The largest frame a client may send, in bytes. A larger frame closes its
   * connection with code 1009.
   * @default 1048576 (1 MiB)
   */
  maxPayload?: number;
  /**
   * Announce every join and leave (OnAddClient / OnDelClient) to every client. `false`
   * keeps client IDs private: a joining client still receives its own OnAddClient.
   * @default true
   */
  announceClients?: boolean;
}

/** A class that supplies the options, for `forRootAsync({ useClass })` or `useExisting`. */
export interface BroadcasterOptionsFactory {
  createBroadcasterOptions(): BroadcasterModuleOptions | Promise<BroadcasterModuleOptions>;
}
