// Writes the sample's contract (AsyncAPI 3.0, YAML) to docs/asyncapi.yaml, without opening a port.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { writeFileSync } from 'node:fs';
import { Broadcaster, toYaml } from 'nestjs-message-broadcaster';
import { AppModule } from './app.module.js';

async function writeContract(file: string): Promise<void> {
  const app = await NestFactory.create(AppModule.withEndpoint('/'), { logger: ['error'] });
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.init();
  writeFileSync(file, toYaml(app.get(Broadcaster).asyncapi()));
  await app.close();
  console.log(`the sample's contract written to ${file}`);
}

writeContract(process.argv[2] ?? 'docs/asyncapi.yaml').catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
