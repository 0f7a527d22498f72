// Who a response goes to: the protocol's CastType values.

/**
 * The protocol's `CastType` values, by name: All, Self, Exclusive and Others (v1), Room and
 * RoomOthers (1.1).
 */
export const CAST_TYPE = { All: 1, Self: 2, Exclusive: 3, Others: 4, Room: 5, RoomOthers: 6 } as const;
