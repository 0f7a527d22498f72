// Provider methods as the core's handler functions: a direct call, or Nest's enhancer pipeline.
import { Injectable } from '@nestjs/common';
import { ExternalContextCreator, ModuleRef } from '@nestjs/core';
import { isObservable } from 'rxjs';
import { abortSignalOf } from '../../core/call-abort.js';
import { isPromiseLike } from '../../core/promise-like.js';
import type { EventHandlerFn, HandlerContext, MessageHandlerFn } from '../../core/handlers.js';
import type { EventMessage, RequestMessage } from '../../core/message.js';
import type { BodyMode } from '../decorators/message-handler.decorator.js';
import { toClientError } from './client-error.js';
import { collectEmitted, settleOutcome } from './complete-results.js';
import { ConnectionScopes, type ConnectionScope } from './connection-scopes.js';
import { createEnhancerPipeline, hasGlobalEnhancers } from './enhancer-pipeline.js';
import { handlerParamsFactory, type HandlerArgs } from './handler-args.js';
import type { HandlerMethod, HandlerTarget } from './handler-target.js';
import { parseJsonBody } from './json-body.js';
import { ENHANCER_METADATA_KEYS, ROUTE_ARGS_METADATA } from './nest-metadata-keys.js';

/** A handler call with the arguments of the `'ws'` context: client, data, message. */
type Call = (...args: HandlerArgs) => unknown;

/**
 * Turns provider methods into the core's handler functions. A method with no enhancer and
 * no parameter decorator in reach is called directly, as `(msg, ctx)`; any other runs
 * through Nest's guards, pipes, interceptors and filters in a `'ws'` context. Methods of
 * request-scoped providers run on an instance of their connection's own.
 */
@Injectable()
export class HandlerFactory {
  private readonly pipeline: ExternalContextCreator;
  private readonly scopes: ConnectionScopes;
  private globalEnhancers: boolean | undefined;

  constructor(
    private readonly external: ExternalContextCreator,
    moduleRef: ModuleRef,
  ) {
    this.pipeline = createEnhancerPipeline(external);
    this.scopes = new ConnectionScopes(moduleRef);
  }

  messageHandler(target: HandlerTarget, bodyMode: BodyMode): MessageHandlerFn {
    const call = this.callOf(target);
    const handler =
      bodyMode === 'json'
        ? (msg: RequestMessage, ctx: HandlerContext) => call(ctx, parseJsonBody(msg.body), msg)
        : (msg: RequestMessage, ctx: HandlerContext) => call(ctx, msg.body, msg);
    return named(handler as MessageHandlerFn, target.place);
  }

  eventHandler(target: HandlerTarget): EventHandlerFn {
    const call = this.callOf(target);
    return named(((ev: EventMessage, ctx: HandlerContext) => call(ctx, ev, ev)) as EventHandlerFn, target.place);
  }

  private callOf(target: HandlerTarget): Call {
    if (target.wrapper.isDependencyTreeStatic()) return this.bind(target, target.instance);
    return (...args) => {
      const scope = this.scopes.of(args[0]);
      return scope.instanceOf(target.wrapper).then((instance) =>
        scope.memo(target, () => this.bind(target, instance, scope))(...args),
      );
    };
  }

  private bind(target: HandlerTarget, instance: object, scope?: ConnectionScope): Call {
    const { method, methodName, wrapper } = target;
    if (!this.needsPipeline(target)) {
      return (ctx, _data, message) => {
        let result: unknown;
        try {
          result = method.call(instance, message, ctx);
        } catch (error) {
          throw toClientError(error);
        }
        return plainOutcome(result, message);
      };
    }
    const enhanced = this.pipeline.create(
      instance,
      callbackFor(method, hasParamDecorators(instance, methodName)),
      methodName,
      ROUTE_ARGS_METADATA,
      handlerParamsFactory,
      scope?.contextId,
      scope === undefined ? undefined : wrapper.id,
      undefined,
      'ws',
    );
    return (...args) =>
      settleOutcome(enhanced(...args)).catch((error: unknown) => {
        throw toClientError(error);
      });
  }

  private needsPipeline({ instance, method, methodName }: HandlerTarget): boolean {
    this.globalEnhancers ??= hasGlobalEnhancers(this.external);
    if (this.globalEnhancers || hasParamDecorators(instance, methodName)) return true;
    return ENHANCER_METADATA_KEYS.some(
      (key) => hasEntries(Reflect.getMetadata(key, method)) || hasEntries(Reflect.getMetadata(key, instance.constructor)),
    );
  }
}

/**
 * What a handler that no enhancer wraps returned: a plain value stays synchronous (the
 * common, fast case), an Observable is collected, and a Nest exception it rejects with
 * becomes its error code.
 */
function plainOutcome(result: unknown, message: object): unknown {
  const outcome = collectEmitted(result, isObservable(result) ? abortSignalOf(message) : undefined);
  if (!isPromiseLike(outcome)) return outcome;
  return Promise.resolve(outcome).catch((error: unknown) => {
    throw toClientError(error);
  });
}

/**
 * The function the pipeline calls. A method with parameter decorators gets its arguments
 * from them; any other keeps its `(msg, ctx)` call. The stand-in inherits the method's
 * metadata, so `Reflector` reads on `context.getHandler()` see what the method carries.
 */
function callbackFor(method: HandlerMethod, withParams: boolean): HandlerMethod {
  if (withParams) return method;
  const callback = function (this: object, ...args: unknown[]) {
    const [ctx, , message] = args as HandlerArgs;
    return method.call(this, message, ctx);
  };
  Object.setPrototypeOf(callback, method);
  Object.defineProperty(callback, 'name', { value: method.name });
  return callback;
}

function hasParamDecorators(instance: object, methodName: string): boolean {
  return hasEntries(Reflect.getMetadata(ROUTE_ARGS_METADATA, instance.constructor, methodName));
}

function hasEntries(metadata: unknown): boolean {
  if (Array.isArray(metadata)) return metadata.length > 0;
  return typeof metadata === 'object' && metadata !== null && Object.keys(metadata).length > 0;
}

function named<F extends object>(handler: F, place: string): F {
  Object.defineProperty(handler, 'name', { value: place });
  return handler;
}
