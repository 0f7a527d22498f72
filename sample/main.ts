import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { RedisBackplane } from 'nestjs-message-broadcaster/redis';
import { AppModule, SAMPLE_ADMIN } from './app.module.js';

// The original example's flags: -p port (default 9218), -e endpoint path (default "/").
// With --redis URL (or REDIS_URL) this instance joins every other one using that Redis;
// with --secret (or CLUSTER_SECRET), shared by all of them, sessions move between them.
const { values } = parseArgs({
  options: {
    port: { type: 'string', short: 'p', default: process.env.PORT ?? '9218' },
    endpoint: { type: 'string', short: 'e', default: '/' },
    redis: { type: 'string', short: 'r', default: process.env.REDIS_URL },
    secret: { type: 'string', short: 's', default: process.env.CLUSTER_SECRET },
  },
});

async function bootstrap(): Promise<void> {
  const cluster = values.redis === undefined ? {} : { backplane: new RedisBackplane({ url: values.redis }), clusterSecret: values.secret };
  const app = await NestFactory.create(AppModule.withEndpoint(values.endpoint, cluster));
  app.useWebSocketAdapter(new WsAdapter(app));
  app.enableShutdownHooks();
  await app.listen(Number(values.port));
  const { port } = app.getHttpServer().address() as AddressInfo;
  const mode = values.redis === undefined ? '' : ` (cluster node, Redis at ${values.redis})`;
  console.log(`broadcaster listening on ws://localhost:${port}${values.endpoint}${mode}`);
  console.log(`chat page: http://localhost:${port}${values.endpoint} (add ?user=<name> to be someone)`);
  console.log(`admin page: http://localhost:${port}/broadcaster-admin (user ${SAMPLE_ADMIN.username}, password ${SAMPLE_ADMIN.password}: for trying the sample only)`);
  console.log(`contract (AsyncAPI 3.0): http://localhost:${port}/asyncapi.json and /asyncapi.yaml`);
}

void bootstrap();
