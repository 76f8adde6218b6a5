// The wire constants of PROTOCOL.md, the page's one copy: WebSocket close codes, `error.code`
// values (HTTP API and signaling) and `bye.reason` values. src/common/protocol.hpp has the
// C++ lists; tests/unit/common/wire_constants_test.cpp keeps the two equal, entry for entry
// and in the same order, so keep one entry a line in the shape `Name: value,`.

// Server -> viewer message types added by this implementation (PROTOCOL.md "Extensions").
export const ServerMessage = Object.freeze({
  // {"type":"event","camera":"sc-…","event":{id, kind, start, end?, durationMs?, score}}
  EVENT: 'event',
});

export const CloseCode = Object.freeze({
  GoingAway: 1001,
  TooBig: 1009,
  Unauthorized: 4401,
  ForbiddenOrigin: 4403,
  AuthTimeout: 4408,
  Replaced: 4409,
  RateLimited: 4429,
});

export const ErrorCode = Object.freeze({
  BadRequest: 'bad_request',
  InvalidInput: 'invalid_input',
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  Conflict: 'conflict',
  TooLarge: 'too_large',
  CameraOffline: 'camera_offline',
  TooManyViewers: 'too_many_viewers',
  RateLimited: 'rate_limited',
  Internal: 'internal',
  StorageFull: 'storage_full',
  UnknownHost: 'unknown_host',
  Overloaded: 'overloaded',
  TooManyConnections: 'too_many_connections',
  Unavailable: 'unavailable',
});

// A reason not in this list (a newer camera's) means "session over, may retry".
export const ByeReason = Object.freeze({
  CameraOffline: 'camera_offline',
  CameraReconnected: 'camera_reconnected',
  ViewerLeft: 'viewer_left',
  Unclaimed: 'unclaimed',
  TooManyViewers: 'too_many_viewers',
  BadSdp: 'bad_sdp',
  UnsupportedCodec: 'unsupported_codec',
  NegotiationFailed: 'negotiation_failed',
  IceFailed: 'ice_failed',
  IceTimeout: 'ice_timeout',
  IceDisconnected: 'ice_disconnected',
  SourceChanged: 'source_changed',
  Internal: 'internal',
});
