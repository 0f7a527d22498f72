// The client's side of a session (protocol 1.2): its token, the frames it received, and the URL that resumes it.
import { SESSION_QUERY } from '../protocol/frame-event.js';

/**
 * What the client keeps of its session: the token of the last session frame and how
 * many numbered frames (every frame but session frames) it received in the session, the
 * way the server counts them, so that a reconnection can ask for exactly the rest.
 */
export class SessionState {
  private token: string | null = null;
  /** Frames of the session received on earlier connections. */
  private base = 0;
  /** Frames received on the current connection. */
  private onLink = 0;
  /** What the current connection asked to resume from; `null` when it asked for a new session. */
  private asked: number | null = null;

  constructor(readonly enabled: boolean) {}

  /** The URL of the next connection: `url` asking for a session, and for this one back if there is one. */
  nextUrl(url: string): string {
    this.asked = this.token === null ? null : this.received;
    this.onLink = 0;
    if (!this.enabled) return url;
    const query = new URLSearchParams({ [SESSION_QUERY.version]: SESSION_QUERY.versionValue });
    if (this.token !== null) {
      query.set(SESSION_QUERY.resume, this.token);
      query.set(SESSION_QUERY.received, String(this.asked));
    }
    return `${url}${url.includes('?') ? '&' : '?'}${query.toString()}`;
  }

  /** A numbered frame arrived. */
  counted(): void {
    this.onLink += 1;
  }

  /** A session frame arrived: a new session (counted from this connection's first frame), or this one taken back. */
  started(token: string, resumed: boolean): void {
    this.token = token;
    this.base = resumed ? (this.asked ?? 0) : 0;
    if (resumed) this.onLink = 0;
  }

  /** Frames received in the session so far. */
  get received(): number {
    return this.base + this.onLink;
  }

  /** Whether there is a session to take back on the next connection. */
  get canResume(): boolean {
    return this.token !== null;
  }

  /** Forgets the session (the client closed it). */
  forget(): void {
    this.token = null;
  }
}
