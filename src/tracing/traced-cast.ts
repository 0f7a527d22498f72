// A server cast run inside a producer span (OpenTelemetry messaging conventions).
import { CastType, type ResponseMessage } from '../core/message.js';
import { MESSAGING_SYSTEM, SpanKind, SpanStatusCode, type Tracer } from './tracer.js';

/**
 * Runs `cast` (a `Broadcaster.cast()` of `responses`) in a producer span named
 * `send <cast types>`, ended when it settles; a rejection marks the span as an error.
 * Rooms and client IDs are not recorded: only the cast types and how many responses.
 */
export function tracedCast(tracer: Tracer, responses: ResponseMessage | readonly ResponseMessage[], cast: () => Promise<void>): Promise<void> {
  const list: readonly ResponseMessage[] = Array.isArray(responses) ? responses : [responses as ResponseMessage];
  const destination = [...new Set(list.map(({ castType }) => CastType[castType] ?? String(castType)))].join(',');
  return tracer.startActiveSpan(
    `send ${destination}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': MESSAGING_SYSTEM,
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'cast',
        'messaging.destination.name': destination,
        'messaging.batch.message_count': list.length,
      },
    },
    async (span) => {
      try {
        await cast();
      } catch (error) {
        span.setAttribute('error.type', error instanceof Error ? error.name : 'Error');
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
