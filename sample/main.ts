import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { parseArgs } from 'node:util';
import { AppModule } from './app.module.js';

// The original example's flags: -p port (default 9218), -e endpoint path (default "/").
const { values } = parseArgs({
  options: {
    port: { type: 'string', short: 'p', default: process.env.PORT ?? '9218' },
    endpoint: { type: 'string', short: 'e', default: '/' },
  },
});

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule.withEndpoint(values.endpoint));
  app.useWebSocketAdapter(new WsAdapter(app));
  app.enableShutdownHooks();
  await app.listen(Number(values.port));
  console.log(`broadcaster listening on ws://localhost:${values.port}${values.endpoint}`);
}

void bootstrap();
