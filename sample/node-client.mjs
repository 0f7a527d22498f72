// A Node client of the sample in ten lines: `node sample/node-client.mjs [ws://localhost:9218/]`.
import WebSocket from 'ws';
import { connect } from 'nestjs-message-broadcaster/client';

const client = connect(process.argv[2] ?? 'ws://localhost:9218/?user=node', { WebSocket });
client.on(1, (message) => console.log(`${message.senderId === client.id ? 'me' : message.senderId}: ${message.text()}`));
const [who] = await client.request(2);
console.log(`I am ${client.id}; online: ${who.json().clients.length}`);
await client.request(1, 'hello from Node');
client.close();
