// A client's presence as the cluster ships it: the app's info about it, its user, whether it is away.

/** The longest presence info, as JSON, in characters. */
export const MAX_PRESENCE_INFO_LENGTH = 1024;
/** The longest presence state a node accepts from another (the info and what surrounds it). */
export const MAX_PRESENCE_STATE_LENGTH = MAX_PRESENCE_INFO_LENGTH + 300;

/** What presence knows of one client. */
export interface PresenceState {
  /** What `presenceInfo` returned for it (a JSON value), or `null`. */
  info: unknown;
  /** Its per-user room (`userRoom`), if any. */
  user: string | null;
  /** Whether it is away (a session client whose connection was lost, within its grace period). */
  away: boolean;
}

/** A client's presence state as JSON text; `infoJson` is the info already as JSON, or `null`. */
export function encodePresenceState(infoJson: string | null, user: string | undefined, away: boolean): string {
  return `{"info":${infoJson ?? 'null'},"user":${user === undefined ? 'null' : JSON.stringify(user)},"away":${away}}`;
}

/** Reads what {@link encodePresenceState} made; `null` for anything else. */
export function decodePresenceState(text: string): PresenceState | null {
  try {
    const value = JSON.parse(text) as Record<string, unknown> | null;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const { info, user, away } = value;
    if (typeof away !== 'boolean' || !(user === null || typeof user === 'string')) return null;
    return { info: info ?? null, user, away };
  } catch {
    return null;
  }
}

/** Whether `value` is a presence state text a node may hold (size and shape checked). */
export function isPresenceStateText(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_PRESENCE_STATE_LENGTH && decodePresenceState(value) !== null;
}
