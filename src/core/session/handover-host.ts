// A node's side of handing sessions over: what a session is made of here, its departure, its arrival.
import { withFacts } from '../log-facts.js';
import { Client, type RoomMembership } from '../client.js';
import type { Cluster } from '../cluster/cluster.js';
import { OutgoingFrame } from '../conn.js';
import type { BroadcasterLogger } from '../handlers.js';
import type { Hub } from '../hub.js';
import { EventType } from '../message.js';
import { decodePresenceState } from '../presence/presence-state.js';
import { presenceStateOf } from '../presence/local-presence.js';
import { TokenBucket, type RateLimit } from '../rate-limiter.js';
import type { HandoverNode } from './session-handover.js';
import type { SessionDesk } from './session-desk.js';
import { SessionConn } from './session-conn.js';
import type { ResolvedSessionSettings } from './session-settings.js';

/** What the host needs of its node. */
export interface HandoverHostParts {
  hub: Hub;
  desk: SessionDesk;
  cluster: Cluster;
  membership: RoomMembership;
  settings: ResolvedSessionSettings & { rateLimit?: RateLimit };
  logger: BroadcasterLogger;
  runEventHandler(client: Client, eventType: EventType): void;
  /** Whether the node is shutting down. */
  closing(): boolean;
}

/** The node's answers to a {@link SessionHandover}: a session as it travels, its client leaving, its client arriving. */
export function handoverHostOf(parts: HandoverHostParts): HandoverNode {
  const { hub, desk, cluster, membership, settings, logger } = parts;
  /** The session client's identity as JSON, if its session can move: it has one, not ending, and its identity is plain data. */
  const identityOf = (client: Client): { principal: string | null; request: string | null } | null => {
    const held = desk.sessions.of(client);
    if (held === undefined || held.conn.isEnding) return null;
    const principal = jsonOf(client.context.principal);
    const request = jsonOf(client.context.request);
    if (principal !== undefined && request !== undefined) return { principal, request };
    logger.warn(withFacts(`client ${client.id}: its principal is not plain data (JSON), so its session cannot move to another instance`, { event: 'session_not_movable', clientId: client.id }));
    return null;
  };
  return {
    get closing() {
      return parts.closing();
    },

    travels(client) {
      return identityOf(client) !== null;
    },

    snapshot(client) {
      const identity = identityOf(client);
      const held = desk.sessions.of(client);
      if (identity === null || held === undefined) return null;
      const { principal, request } = identity;
      return {
        clientId: client.id,
        key: held.key,
        generation: held.generation,
        written: held.conn.written,
        frames: held.conn.keptFrames().map((frame) => frame.text),
        rooms: [...(client.rooms ?? [])],
        presence: presenceStateOf(client),
        principal,
        request,
        graceLeft: desk.sessions.graceLeft(held),
      };
    },

    depart(client) {
      const rooms = [...(client.rooms ?? [])];
      hub.remove(client);
      desk.sessions.forget(client);
      client.abandonCalls();
      cluster.publishLeave(client.id, rooms, true);
    },

    arrive(session, since) {
      const keep = { messages: settings.sessionKeptMessages, bytes: settings.sessionKeptBytes };
      const frames = session.frames.map((text) => new OutgoingFrame(text));
      let client: Client | null = null;
      const conn = SessionConn.handedOver(keep, (why) => client !== null && desk.door.ended(client, why), session.written, frames, since);
      const identity = { principal: valueOf(session.principal), request: valueOf(session.request) as Client['context']['request'] };
      const limiter = settings.rateLimit === undefined ? null : new TokenBucket(settings.rateLimit);
      client = new Client(session.clientId, conn, logger, identity, limiter, membership);
      const state = decodePresenceState(session.presence);
      const info = state?.info ?? null;
      client.presence = { info: info === null ? null : JSON.stringify(info), user: state?.user ?? undefined, away: true };
      hub.add(client);
      for (const room of session.rooms) hub.rooms.join(client, room);
      desk.door.takeOver(client, { key: session.key, conn, client, generation: session.generation, graceTimer: null, awaySince: 0 }, session.graceLeft);
      cluster.publishJoin(client.id, true);
      for (const room of session.rooms) cluster.publishMembership('join', client.id, room);
      cluster.publishPresence(client.id, presenceStateOf(client));
      // It was connected on its old node: its connection is lost now, as far as the app here knows.
      if (state?.away === false) parts.runEventHandler(client, EventType.OnAway);
    },
  };
}

/** `value` as JSON text (`null` for none); `undefined` when it is not plain data. */
function jsonOf(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  try {
    return JSON.stringify(value) ?? undefined;
  } catch {
    return undefined;
  }
}

function valueOf(json: string | null): unknown {
  return json === null ? undefined : JSON.parse(json);
}
