import 'reflect-metadata';
import {
  Module,
  type DynamicModule,
  type INestApplication,
  type LoggerService,
  type Provider,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import type { AddressInfo } from 'node:net';
import { BroadcasterModule, type BroadcasterModuleOptions } from '../../src/index.js';

export interface RunningApp {
  app: INestApplication;
  /** `ws://127.0.0.1:<port><path>` of the broadcaster. */
  url: string;
  port: number;
}

/** Starts a real Nest app (Express + WsAdapter) on a free loopback port. */
export async function startApp(
  root: Type | DynamicModule,
  options: {
    path?: string;
    logger?: LoggerService | false;
    adapter?: (app: INestApplication) => WsAdapter;
    /** Runs before the app starts, e.g. to add global guards. */
    configure?: (app: INestApplication) => void;
    /** A port of the test's choosing (e.g. to restart a server where clients expect it). */
    port?: number;
  } = {},
): Promise<RunningApp> {
  const app = await NestFactory.create(root, { logger: options.logger ?? false });
  app.useWebSocketAdapter(options.adapter?.(app) ?? new WsAdapter(app));
  options.configure?.(app);
  await app.listen(options.port ?? 0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, port, url: `ws://127.0.0.1:${port}${options.path ?? '/'}` };
}

/** A root module with the broadcaster and the given handler providers. */
export function appModule(providers: Provider[], options: BroadcasterModuleOptions = {}): DynamicModule {
  @Module({})
  class TestAppModule {}
  return { module: TestAppModule, imports: [BroadcasterModule.forRoot(options)], providers };
}

/** A Nest logger that keeps what was logged, for tests that check what an operator sees. */
export class CapturingLogger implements LoggerService {
  readonly lines: Array<{ level: string; text: string }> = [];
  log(message: unknown): void {
    this.lines.push({ level: 'log', text: String(message) });
  }
  warn(message: unknown): void {
    this.lines.push({ level: 'warn', text: String(message) });
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.lines.push({ level: 'error', text: [message, ...rest].map(String).join('\n') });
  }
  text(level: string): string {
    return this.lines.filter((line) => line.level === level).map((line) => line.text).join('\n');
  }
}
