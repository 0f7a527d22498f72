import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SwarmCommand, SwarmReply } from './swarm-process.js';

const SWARM_MAIN = fileURLToPath(new URL('./swarm-process.js', import.meta.url));

/** The runner's end of one swarm process. */
export class SwarmProcess {
  private readonly child: ChildProcess = fork(SWARM_MAIN, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });

  tell(command: SwarmCommand): void {
    this.child.send(command);
  }

  /** The next reply of that type. */
  next(type: SwarmReply['type']): Promise<SwarmReply> {
    return new Promise((resolve, reject) => {
      const onReply = (reply: SwarmReply) => {
        if (reply.type !== type) return;
        this.child.off('message', onReply);
        resolve(reply);
      };
      this.child.on('message', onReply);
      this.child.once('exit', (code) => reject(new Error(`a swarm process exited with ${code}`)));
    });
  }

  ask(command: SwarmCommand, type: SwarmReply['type']): Promise<SwarmReply> {
    const reply = this.next(type);
    this.tell(command);
    return reply;
  }

  stop(): void {
    if (this.child.connected) this.child.disconnect();
  }
}
