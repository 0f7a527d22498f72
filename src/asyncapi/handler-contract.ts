// What the contract document knows of one message handler.

/** A JSON Schema (draft 7, as AsyncAPI 3.0 takes it). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** A cast a handler may answer with: its cast type, the rooms it goes to (Room, RoomOthers), its body's schema. */
export interface CastContract {
  castType: number;
  /** The rooms it is cast to, when they are known in advance. */
  rooms?: readonly string[];
  summary?: string;
  schema?: JsonSchema;
}

/** One message handler as the contract document describes it. */
export interface HandlerContract {
  handlerId: number;
  /** `'bytes'`: any body, as base64; `'json'`: a JSON body (of `schema`, when given). */
  body: 'bytes' | 'json';
  summary?: string;
  description?: string;
  schema?: JsonSchema;
  /** The casts it may answer with: cast type, and the body's schema when known. */
  responds?: ReadonlyArray<CastContract>;
  /** The class of the DTO its `@MessageBody()` takes, whose schema class-validator-jsonschema makes. */
  dto?: string;
}
