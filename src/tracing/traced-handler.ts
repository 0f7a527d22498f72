// A message handler run inside a span of its own (OpenTelemetry messaging conventions).
import type { MessageHandlerFn } from '../core/handlers.js';
import { BroadcasterException, ErrorCode } from '../core/errors.js';
import { isPromiseLike } from '../core/promise-like.js';
import { MESSAGING_SYSTEM, SpanKind, SpanStatusCode, type Span, type Tracer } from './tracer.js';

/**
 * `handler` of `handlerId`, each call of it in a consumer span named `process <HandlerID>`,
 * active while it runs (guards, pipes and interceptors run inside it) and ended when its
 * outcome is known. A call that throws or rejects marks the span as an error, with the
 * code its client is sent as `error.type`.
 */
export function tracedHandler(handlerId: number, handler: MessageHandlerFn, tracer: Tracer): MessageHandlerFn {
  const spanName = `process ${handlerId}`;
  const destination = String(handlerId);
  const traced: MessageHandlerFn = (message, ctx) =>
    tracer.startActiveSpan(
      spanName,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': MESSAGING_SYSTEM,
          'messaging.operation.type': 'process',
          'messaging.operation.name': 'handle',
          'messaging.destination.name': destination,
          'messaging.client.id': message.senderId,
          'messaging.message.body.size': message.body.length,
        },
      },
      (span) => {
        let outcome: ReturnType<MessageHandlerFn>;
        try {
          outcome = handler(message, ctx);
        } catch (error) {
          endWithError(span, error);
          throw error;
        }
        if (!isPromiseLike(outcome)) {
          span.end();
          return outcome;
        }
        outcome.then(
          () => span.end(),
          (error: unknown) => endWithError(span, error),
        );
        return outcome;
      },
    );
  // Logs name the handler: the traced one keeps its name.
  Object.defineProperty(traced, 'name', { value: handler.name });
  return traced;
}

function endWithError(span: Span, error: unknown): void {
  const code = error instanceof BroadcasterException ? error.code : ErrorCode.HandlerError;
  span.setAttribute('error.type', code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.end();
}
