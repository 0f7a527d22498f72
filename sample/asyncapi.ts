// Writes the sample's contract, without opening a port: as AsyncAPI 3.0 (YAML) to
// docs/asyncapi.yaml, and as the client SDK's Api type to docs/chat-api.ts.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { writeFileSync } from 'node:fs';
import { Broadcaster, toYaml } from 'nestjs-message-broadcaster';
import { AppModule } from './app.module.js';

async function writeContract(file: string, typesFile: string): Promise<void> {
  const app = await NestFactory.create(AppModule.withEndpoint('/'), { logger: ['error'] });
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.init();
  const broadcaster = app.get(Broadcaster);
  writeFileSync(file, toYaml(broadcaster.asyncapi()));
  writeFileSync(typesFile, broadcaster.clientTypes('ChatApi'));
  await app.close();
  console.log(`the sample's contract written to ${file} and ${typesFile}`);
}

writeContract(process.argv[2] ?? 'docs/asyncapi.yaml', process.argv[3] ?? 'docs/chat-api.ts').catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
