// Nest's enhancer pipeline for handlers: guards, pipes, interceptors and filters.
import type { ApplicationConfig, ExternalContextCreator } from '@nestjs/core';
import type { CallHandler, ExecutionContext } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { abortSignalOf } from '../../core/call-abort.js';
import { collectEmitted, FilterOutcome, untilAborted } from './complete-results.js';
import { UNSUPPORTED_NEST_CORE } from '../broadcaster.messages.js';

// ExternalContextCreator is the public way to run guards, pipes, interceptors and filters
// around a method, but two of its choices do not fit a broadcaster: it keeps only the last
// value of an Observable, and it re-throws (and logs) an exception whose filter returned
// nothing. The pipeline below is that creator with those two steps replaced. Everything it
// reads beyond the public API is checked here, at start-up, so that a change in Nest fails
// loudly instead of silently skipping an enhancer.

interface ExceptionFilterEntry {
  func: (exception: unknown, host: unknown) => unknown;
  exceptionMetatypes: (abstract new (...args: never[]) => unknown)[];
}

interface ExceptionsHandler {
  next(exception: unknown, host: unknown): unknown;
}

interface Interceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown>;
}

interface CreatorInternals {
  guardsContextCreator?: { config?: ApplicationConfig };
  filtersContextCreator?: { create(...args: unknown[]): ExceptionsHandler };
  interceptorsContextCreator?: { create(...args: unknown[]): Interceptor[] };
}

/**
 * The outermost interceptor of every handler: what the handler and the other
 * interceptors stream is given up when the call is (deadline passed, client gone).
 * The call's message is the third argument of the `'ws'` context.
 */
const abandonWithCall: Interceptor = {
  intercept(context, next) {
    const message = context.getArgs()[2] as unknown;
    const stream = next.handle();
    return typeof message === 'object' && message !== null ? untilAborted(stream, abortSignalOf(message)) : stream;
  },
};

/** An `ExternalContextCreator` whose handlers cast every value and honour every filter. */
export function createEnhancerPipeline(external: ExternalContextCreator): ExternalContextCreator {
  const internals = external as unknown as CreatorInternals;
  const filters = internals.filtersContextCreator;
  if (typeof filters?.create !== 'function') throw new Error(UNSUPPORTED_NEST_CORE('filtersContextCreator'));
  const interceptors = internals.interceptorsContextCreator;
  if (typeof interceptors?.create !== 'function') throw new Error(UNSUPPORTED_NEST_CORE('interceptorsContextCreator'));

  const pipeline = Object.create(external) as ExternalContextCreator;
  pipeline.transformToResult = (result: unknown) => Promise.resolve(collectEmitted(result));
  (pipeline as unknown as CreatorInternals).filtersContextCreator = {
    create: (...args: unknown[]) => answeredByFilters(filters.create(...args)),
  };
  (pipeline as unknown as CreatorInternals).interceptorsContextCreator = {
    create: (...args: unknown[]) => [abandonWithCall, ...interceptors.create(...args)],
  };
  return pipeline;
}

/** Whether the application has any global guard, pipe, interceptor or filter. */
export function hasGlobalEnhancers(external: ExternalContextCreator): boolean {
  const config = (external as unknown as CreatorInternals).guardsContextCreator?.config;
  if (config === undefined) return false;
  if (typeof config.getGlobalGuards !== 'function') throw new Error(UNSUPPORTED_NEST_CORE('ApplicationConfig'));
  return [
    config.getGlobalGuards(),
    config.getGlobalPipes(),
    config.getGlobalInterceptors(),
    config.getGlobalFilters(),
    config.getGlobalRequestGuards(),
    config.getGlobalRequestPipes(),
    config.getGlobalRequestInterceptors(),
    config.getGlobalRequestFilters(),
  ].some((list) => list.length > 0);
}

function answeredByFilters(handler: ExceptionsHandler): ExceptionsHandler {
  const entries = (handler as unknown as { filters?: ExceptionFilterEntry[] }).filters;
  if (!Array.isArray(entries)) throw new Error(UNSUPPORTED_NEST_CORE('ExternalExceptionsHandler'));
  return {
    next(exception, host) {
      const filter = entries.find(
        ({ exceptionMetatypes }) =>
          exceptionMetatypes.length === 0 || exceptionMetatypes.some((type) => exception instanceof type),
      );
      if (filter === undefined) throw exception;
      return new FilterOutcome(filter.func(exception, host));
    },
  };
}
