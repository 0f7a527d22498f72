// The provider and method a handler runs, as discovery found them.
import type { DiscoveryService } from '@nestjs/core';

/** How Nest's discovery describes a provider. */
export type ProviderWrapper = ReturnType<DiscoveryService['getProviders']>[number];

export type HandlerMethod = (...args: unknown[]) => unknown;

/** A `@MessageHandler` or `@OnEvent` method, where it was found. */
export interface HandlerTarget {
  readonly wrapper: ProviderWrapper;
  /** The provider's instance; for a request-scoped provider, only its prototype matters. */
  readonly instance: object;
  readonly method: HandlerMethod;
  readonly methodName: string;
  /** `Class#method`, for logs and errors. */
  readonly place: string;
}
