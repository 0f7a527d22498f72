// Request-scoped handler providers, one set per connection, gone with it.
import { ContextIdFactory, type ContextId, type ModuleRef } from '@nestjs/core';
import type { HandlerContext } from '../../core/handlers.js';
import type { ProviderWrapper } from './handler-target.js';

/** One connection's instances of request-scoped (and durable) handler providers. */
export class ConnectionScope {
  private readonly instances = new Map<ProviderWrapper, Promise<object>>();
  private readonly calls = new Map<unknown, unknown>();

  constructor(
    readonly contextId: ContextId,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** This connection's instance of the provider, created on first use. */
  instanceOf(wrapper: ProviderWrapper): Promise<object> {
    let instance = this.instances.get(wrapper);
    if (instance === undefined) {
      instance = this.moduleRef.resolve<unknown, object>(wrapper.token, this.contextId, { strict: false });
      this.instances.set(wrapper, instance);
    }
    return instance;
  }

  /** A value built once per connection and `key`, such as a handler bound to its instance. */
  memo<T>(key: unknown, build: () => T): T {
    if (!this.calls.has(key)) this.calls.set(key, build());
    return this.calls.get(key) as T;
  }
}

/**
 * The connection scopes, kept only as long as their connection's context is alive: once
 * the core lets go of a client that has left (its leave handler included), its scope, and
 * with it every per-connection instance, can be collected.
 */
export class ConnectionScopes {
  private readonly scopes = new WeakMap<HandlerContext, ConnectionScope>();

  constructor(private readonly moduleRef: ModuleRef) {}

  of(context: HandlerContext): ConnectionScope {
    let scope = this.scopes.get(context);
    if (scope === undefined) {
      // getByRequest lets a ContextIdStrategy give durable providers a shared context.
      const contextId = ContextIdFactory.getByRequest(context);
      this.moduleRef.registerRequestByContextId(context, contextId);
      scope = new ConnectionScope(contextId, this.moduleRef);
      this.scopes.set(context, scope);
    }
    return scope;
  }
}
