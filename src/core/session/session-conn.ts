// A session client's connection: counts and keeps what it is sent, and outlives the socket it is on.
import { exceedsBacklog, type BacklogLimits, type CastLane, type Conn, type LaneSeat, type OutgoingFrame } from '../conn.js';
import { KeptFrames, type KeepLimits } from './kept-frames.js';

/**
 * The {@link Conn} the core sees for a session client. It numbers every frame written to
 * the client and keeps the newest (see {@link KeptFrames}), writing them through to the
 * socket it is on. When that socket is lost the session is *away*: frames are kept, not
 * written, until it resumes on another socket ({@link resumeOn}) or ends; kept past the
 * backlog limits while away, it ends at once (`end('overflow')`). While on a socket with a
 * cast lane, casts to everyone reach it through the lane, numbered as the socket takes them.
 */
export class SessionConn implements Conn {
  private readonly kept: KeptFrames;
  private socket: Conn | null;
  /** Frames and bytes kept since the session went away. */
  private awayFrames = 0;
  private awayBytes = 0;
  private ending = false;
  /** The core's seat for it in a cast lane, and whether its socket is in that lane now. */
  private seat: LaneSeat | null = null;
  private onLane = false;

  constructor(
    socket: Conn,
    keep: KeepLimits,
    private readonly end: (why: 'overflow' | 'closed') => void,
  ) {
    this.socket = socket;
    this.kept = new KeptFrames(keep);
  }

  /**
   * The connection of a session handed over from another node, away: `written` frames
   * were written to it there, the newest of which are `frames`; `since` are the frames
   * that reached it meanwhile here, kept after them.
   */
  static handedOver(keep: KeepLimits, end: (why: 'overflow' | 'closed') => void, written: number, frames: readonly OutgoingFrame[], since: readonly OutgoingFrame[]): SessionConn {
    const conn = new SessionConn(AWAY, keep, end);
    conn.goAway();
    conn.kept.continueFrom(written, frames);
    for (const frame of since) conn.send(frame.text, frame);
    return conn;
  }

  /** Whether every frame after `received` is still kept (a resume from it would hold). */
  keepsAfter(received: number): boolean {
    this.catchUp();
    return this.kept.after(received) !== null;
  }

  /** The frames the session keeps, oldest first (the newest of {@link written}). */
  keptFrames(): OutgoingFrame[] {
    this.catchUp();
    return this.kept.keptFrames();
  }

  /** The socket the session is on; `null` while away. */
  get current(): Conn | null {
    return this.socket;
  }

  /** How many frames were written to the session so far (what a resume counts against). */
  get written(): number {
    this.catchUp();
    return this.kept.count;
  }

  /** Whether the server closed the session itself (a kick, an eviction, a shutdown): it ends rather than goes away. */
  get isEnding(): boolean {
    return this.ending;
  }

  send(text: string, frame: OutgoingFrame): void {
    if (this.socket === null) {
      this.kept.push(frame);
      return this.keepAway(frame, null);
    }
    // The socket takes the lane casts before this frame first (numbered as it takes them).
    this.socket.send(text, frame);
    this.kept.push(frame);
  }

  sendWithin(frame: OutgoingFrame, limits: BacklogLimits): boolean {
    const socket = this.socket;
    if (socket === null) {
      this.kept.push(frame);
      this.keepAway(frame, limits);
      return true;
    }
    if (socket.sendWithin !== undefined) {
      if (!socket.sendWithin(frame, limits)) return false;
    } else {
      if (exceedsBacklog(socket.unsentFrames?.() ?? 0, socket.unsentBytes?.() ?? 0, frame.text.length, limits)) return false;
      socket.send(frame.text, frame);
    }
    this.kept.push(frame);
    return true;
  }

  /** Writes a frame that is not part of the session's numbered frames (its session frame). */
  sendUnnumbered(text: string, frame: OutgoingFrame): void {
    this.socket?.send(text, frame);
  }

  unsentBytes(): number {
    return this.socket === null ? this.awayBytes : (this.socket.unsentBytes?.() ?? 0);
  }

  unsentFrames(): number {
    return this.socket === null ? this.awayFrames : (this.socket.unsentFrames?.() ?? 0);
  }

  /** The server ends the session: its socket, if any, is closed. */
  close(code?: number, reason?: string): void {
    if (this.ending) return;
    this.ending = true;
    if (this.socket !== null) this.socket.close(code, reason);
    else this.end('closed');
  }

  joinLane(seat: LaneSeat): CastLane | null {
    this.seat = seat;
    return this.joinSocketLane();
  }

  leaveLane(): void {
    this.leaveSocketLane();
    this.seat = null;
  }

  /** The socket was lost: frames are kept for a resume from now on. */
  goAway(): void {
    if (this.onLane) {
      this.leaveSocketLane();
      this.seat?.moved?.(null);
    }
    this.socket = null;
    this.awayFrames = 0;
    this.awayBytes = 0;
    this.kept.holdEverything(true);
  }

  /**
   * Moves the session onto `socket` if every frame after `received` is still kept: the
   * session frame `first` goes out, then those frames, in order. Returns false (changing
   * nothing) when they are not all kept. A socket the session was still on is closed.
   */
  resumeOn(socket: Conn, received: number, first: OutgoingFrame): boolean {
    this.catchUp();
    const missed = this.kept.after(received);
    if (missed === null) return false;
    const wasOnLane = this.onLane;
    this.leaveSocketLane();
    const previous = this.socket;
    this.socket = socket;
    this.kept.holdEverything(false);
    previous?.close(SESSION_TAKEN_OVER, 'session resumed elsewhere');
    socket.send(first.text, first);
    for (const frame of missed) socket.send(frame.text, frame);
    if (this.seat !== null) {
      const lane = this.joinSocketLane();
      if (lane !== null || wasOnLane) this.seat.moved?.(lane);
    }
    return true;
  }

  /** Puts its socket in the lane of the core's seat, when it has one; the lane, or `null`. */
  private joinSocketLane(): CastLane | null {
    const { seat, socket } = this;
    if (seat === null || socket?.joinLane === undefined) return null;
    const lane = socket.joinLane({
      limits: seat.limits,
      missed: (frames) => seat.missed(frames),
      failed: (error) => seat.failed(error),
      took: (frame) => this.kept.push(frame),
    });
    this.onLane = lane !== null;
    return lane;
  }

  /** Takes its socket out of the lane, with the casts made so far numbered and kept. */
  private leaveSocketLane(): void {
    if (!this.onLane) return;
    this.onLane = false;
    this.socket!.catchUpLane?.();
    this.socket!.leaveLane?.();
  }

  /** Numbers and keeps the lane casts made so far that its socket has not taken yet. */
  private catchUp(): void {
    if (this.onLane) this.socket!.catchUpLane?.();
  }

  /** Counts a frame kept while away; past `limits`, the session ends (it would keep without bound). */
  private keepAway(frame: OutgoingFrame, limits: BacklogLimits | null): void {
    this.awayFrames += 1;
    this.awayBytes += frame.text.length;
    if (limits === null || this.ending) return;
    if (this.awayFrames > limits.maxBufferedMessages || this.awayBytes > limits.maxBufferedBytes) {
      this.ending = true;
      this.end('overflow');
    }
  }
}

/** A stand-in for the socket of a session that starts away (never written to). */
const AWAY: Conn = { send: () => undefined, close: () => undefined };

/** The close code of a socket whose session another socket took over (a final application code). */
export const SESSION_TAKEN_OVER = 4001;
