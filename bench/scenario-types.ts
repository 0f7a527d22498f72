// The kinds of benchmark scenario, and what each one states.
import type { Contender } from './servers/main.js';

/** Whom a cast reaches, chosen by the handler the sender names. */
export type Target = 'all' | 'self' | 'self-enhanced' | 'exclusive' | 'room' | 'room-others';

/** Another scenario of the same run whose library figures this one is compared with. */
export interface Versus {
  scenario: string;
  /** The ratio's name in the report, e.g. `cluster/single-node`. */
  label: string;
}

/** One sender casting to N clients, paced by a window of casts in flight or by a rate. */
export interface CastScenario {
  kind: 'casts';
  name: string;
  clients: number;
  target: Target;
  /** Body bytes of each request (the frame adds about 100 bytes, a third more as base64). */
  payload: number;
  casts: number;
  window?: number;
  rate?: number;
  contenders: Contender[];
  /**
   * For the room targets: clients are dealt into `rooms` rooms of `roomSize` members (the
   * rest join none); the sender, a member of the first, casts to that room.
   */
  rooms?: { count: number; size: number };
  /** Instances of the library sharing the clients, linked by a Redis backplane; the sender is on the first. */
  nodes?: number;
  /** For the LW contender: worker processes sharing the port. */
  workers?: number;
  /** Every room keeps a history: the room casts are publications, numbered (protocol 1.2). */
  history?: boolean;
  /** The library's Prometheus metrics on, scraped once a second. */
  metrics?: boolean;
  /** The library's OpenTelemetry spans on, recorded by an SDK without an exporter. */
  tracing?: boolean;
  versus?: Versus;
}

/** Every client sends at `rate` per second and receives everyone's casts. */
export interface ManySendersScenario {
  kind: 'many-senders';
  name: string;
  clients: number;
  perClient: number;
  rate: number;
  payload: number;
  contenders: Contender[];
}

/**
 * The inbound path: every client keeps one Self request in flight (closed loop), `perClient`
 * requests each; a reply is one delivery.
 */
export interface RequestReplyScenario {
  kind: 'request-reply';
  name: string;
  clients: number;
  perClient: number;
  payload: number;
  contenders: Contender[];
  /**
   * Requests with a `RequestID` (protocol 1.1: each is answered by its reply, then an ack):
   * written `'last'`, as the client SDK writes them, or `'before-body'`, a form the
   * server reads the general way. Absent: v1 requests, with no ack.
   */
  requestId?: 'last' | 'before-body';
  /** The library's Prometheus metrics on, scraped once a second. */
  metrics?: boolean;
  /** Another scenario of the same run whose library figures this one is compared with. */
  versus?: Versus;
}

/**
 * The swarm in `swarms` processes (each from its own loopback address), for more clients
 * than one process may hold, or to take the swarm's own work off one thread; the library
 * on `workers` worker processes for LW. One client sends `casts` All requests at once;
 * every client must receive each.
 */
export interface MassFanOutScenario {
  kind: 'mass-fan-out';
  name: string;
  clients: number;
  workers?: number;
  swarms: number;
  casts: number;
  contenders: Contender[];
}

/** N clients connect at once; the library announces every join to everyone there. */
export interface ConnectStormScenario {
  kind: 'connect-storm';
  name: string;
  clients: number;
  contenders: Contender[];
}

/** N clients connect and stay idle; server memory is read before and after. */
export interface IdleMemoryScenario {
  kind: 'idle-memory';
  name: string;
  clients: number;
  contenders: Contender[];
}

/**
 * Session clients (protocol 1.2) cut and resumed one after another: the time to each
 * resume's session frame (p50/p99); then one client, away while `replay` frames are cast
 * to it, resumes: the frames replayed per second are the run's deliveries per second.
 */
export interface ResumeScenario {
  kind: 'session-resume';
  name: string;
  clients: number;
  replay: number;
  contenders: Contender[];
}

/**
 * A room of the library given `publications` publications; a client (on the other
 * instance, with `nodes`) then recovers them all from offset 0, again and again.
 */
export interface RecoveryScenario {
  kind: 'room-recovery';
  name: string;
  /** Two: the publisher and the client recovering. */
  clients: number;
  publications: number;
  /** Body bytes of each publication. */
  payload: number;
  warmup: number;
  recoveries: number;
  /** Instances over a private Redis (the history in Redis Streams); absent: one instance, history in memory. */
  nodes?: number;
  contenders: Contender[];
}

export type Scenario =
  | ResumeScenario
  | RecoveryScenario
  | CastScenario
  | ManySendersScenario
  | RequestReplyScenario
  | MassFanOutScenario
  | ConnectStormScenario
  | IdleMemoryScenario;

/** A body that makes a ~150-byte response frame, the size the targets are stated for. */
export const DEFAULT_PAYLOAD = 40;
