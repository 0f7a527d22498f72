// The OpenTelemetry tracer the broadcaster's spans are made with, loaded only when tracing is asked for.
import type * as OpenTelemetryApi from '@opentelemetry/api';
import type { Span, Tracer } from '@opentelemetry/api';

/** Name of the tracer (the instrumentation scope) the spans are made with. */
export const TRACER_NAME = 'nestjs-message-broadcaster';

/** `messaging.system` of every span. */
export const MESSAGING_SYSTEM = 'nestjs-message-broadcaster';

/** OpenTelemetry's span kinds and status codes (the values of `@opentelemetry/api`'s enums). */
export const SpanKind = { PRODUCER: 3, CONSUMER: 4 } as const;
export const SpanStatusCode = { ERROR: 2 } as const;

export type { Span, Tracer };

/**
 * The tracer of the global tracer provider, through `@opentelemetry/api` (an optional peer
 * dependency): a no-op until the app registers an SDK, as OpenTelemetry intends.
 */
export async function openTelemetryTracer(): Promise<Tracer> {
  let api: typeof OpenTelemetryApi;
  try {
    api = await import('@opentelemetry/api');
  } catch (error) {
    throw new Error(`tracing: @opentelemetry/api could not be loaded (npm install @opentelemetry/api): ${String(error)}`, { cause: error });
  }
  const trace = api.trace ?? (api as unknown as { default: typeof api }).default.trace;
  return trace.getTracer(TRACER_NAME);
}
