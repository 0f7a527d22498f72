// The session options (protocol 1.2): how long an away client is held, how much it keeps, what signs its token.
import { checkOption, isPositiveInteger, isWhole } from '../option-checks.js';

/** Options of sessions that survive a reconnect (protocol 1.2). */
export interface SessionSettings {
  /**
   * How long a session client (one that connected with `?mb=1.2`) stays *away* after
   * losing its connection, in milliseconds: its leave is not announced, it keeps its
   * rooms, and frames cast to it are kept, so that a reconnect within this time takes the
   * session back with nothing missed. `0` turns sessions off (such clients are v1.1 clients).
   * @default 30000
   */
  sessionGrace?: number;
  /**
   * The frames a connected session keeps for resending, newest first, at most this many
   * (whatever was written but may not have reached the client when its connection broke).
   * While away, every frame is kept, up to `maxBufferedMessages` / `maxBufferedBytes`,
   * past which the session ends.
   * @default 256
   */
  sessionKeptMessages?: number;
  /** Like {@link sessionKeptMessages}, in bytes (at least the newest frame is kept). @default 262144 (256 KiB) */
  sessionKeptBytes?: number;
  /**
   * The key that signs session tokens (at least 16 characters). Instances that resume
   * each other's sessions must share it. Defaults to `clusterSecret`, else to a random key
   * of this process (a token is then good on this instance only, until it restarts).
   * @default clusterSecret, else random
   */
  sessionSecret?: string;
}

/** The session options with their defaults (the secret stays optional). */
export type ResolvedSessionSettings = Required<Omit<SessionSettings, 'sessionSecret'>> & Pick<SessionSettings, 'sessionSecret'>;

/** Fills in the session options' defaults; `clusterSecret` signs tokens when no `sessionSecret` is given. */
export function resolveSessionSettings(settings: SessionSettings, clusterSecret: string | undefined): ResolvedSessionSettings {
  return {
    sessionGrace: settings.sessionGrace ?? 30_000,
    sessionKeptMessages: settings.sessionKeptMessages ?? 256,
    sessionKeptBytes: settings.sessionKeptBytes ?? 256 * 1024,
    sessionSecret: settings.sessionSecret ?? clusterSecret,
  };
}

/** Throws a `TypeError` naming the first bad session option. */
export function checkSessionSettings(settings: ResolvedSessionSettings): void {
  checkOption('sessionGrace', isWhole(settings.sessionGrace), 'a whole number of milliseconds (0 = off)', settings.sessionGrace);
  checkOption('sessionKeptMessages', isPositiveInteger(settings.sessionKeptMessages), 'a positive integer', settings.sessionKeptMessages);
  checkOption('sessionKeptBytes', isPositiveInteger(settings.sessionKeptBytes), 'a positive integer (bytes)', settings.sessionKeptBytes);
  checkOption(
    'sessionSecret',
    settings.sessionSecret === undefined || (typeof settings.sessionSecret === 'string' && settings.sessionSecret.length >= 16),
    'a string of at least 16 characters',
    settings.sessionSecret === undefined ? undefined : '(hidden)',
  );
}
