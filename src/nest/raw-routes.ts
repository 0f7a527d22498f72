// GET routes on the app's HTTP server that answer on Node's own request and response.
import type { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A platform's request or response, or the Node one inside it (Fastify keeps it as `raw`). */
type Wrapped<T> = T & { raw?: T };

/** Answers a request with Node's `IncomingMessage` and `ServerResponse`. */
export type RawRoute = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

/**
 * A function adding `GET` routes to the app's HTTP server (the module's own pages, not
 * controllers); a route that throws or rejects is reported to `failed`. Throws when the
 * app has no HTTP server: `served` names what needs one ("admin: the page").
 */
export function rawGetRoutes(host: HttpAdapterHost, served: string, failed: (error: unknown) => void): (path: string, route: RawRoute) => void {
  const http = host.httpAdapter;
  if (http === undefined || http === null) throw new Error(`${served} is served on the app’s HTTP server, and this app has none`);
  return (path, route) =>
    http.get(path, (request: Wrapped<IncomingMessage>, response: Wrapped<ServerResponse>) => {
      Promise.resolve()
        .then(() => route(request.raw ?? request, response.raw ?? response))
        .catch(failed);
    });
}
