// What the session specs share: letting frames cross the in-memory cluster, and a client's resume.
import { settle } from './cluster-nodes';
import type { FakeConn } from './fake-conn';

/** Lets frames flow: relayed ones are batched per event-loop turn (a real one), then cross the backplane. */
export async function flow(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    await settle();
  }
}

/** What a session client would resume with after `conns`: the token of its last session frame, and the frames it counted. */
export function sessionOf(...conns: FakeConn[]): { token: string; received: number } {
  const frames = conns.flatMap((conn) => conn.json());
  const sessionFrames = frames.filter((frame) => frame.EventType === 5);
  return { token: sessionFrames[sessionFrames.length - 1].Session as string, received: frames.length - sessionFrames.length };
}
