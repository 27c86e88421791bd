/**
 * Domain errors: services throw these, http/error-handler.ts maps `code` to a
 * status. Nothing below src/http knows about HTTP.
 */
export type ErrorCode =
  | 'invalid'
  | 'not_found'
  | 'gone'
  | 'conflict'
  | 'too_large'
  | 'too_many'
  | 'unauthorized'
  | 'forbidden'
  | 'unavailable'
  | 'upstream';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Seconds a client should wait before retrying (503 Retry-After). */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class InvalidError extends DomainError {
  constructor(message: string) {
    super('invalid', message);
  }
}

/** The caller is known but may not do this (a scoped API token on an operator's route). */
export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string) {
    super('not_found', message);
  }
}

export class GoneError extends DomainError {
  constructor(message: string) {
    super('gone', message);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super('conflict', message);
  }
}

export class TooLargeError extends DomainError {
  constructor(message: string) {
    super('too_large', message);
  }
}

/** A cap was reached (sessions, viewers): the caller may retry once something ends. */
export class TooManyError extends DomainError {
  constructor(message: string) {
    super('too_many', message);
  }
}

/** Why a start is refused for now: a short word for metrics and logs (the message says the rest). */
export type UnavailableReason = 'memory' | 'disk_space' | 'disk_quota' | 'disk_unmounted' | 'network_isolation' | 'unavailable';

export class UnavailableError extends DomainError {
  constructor(
    message: string,
    retryAfterS?: number,
    readonly reason: UnavailableReason = 'unavailable',
  ) {
    super('unavailable', message, retryAfterS);
  }
}

/** The container engine failed; the message keeps the engine's own words. */
export class UpstreamError extends DomainError {
  constructor(message: string) {
    super('upstream', message);
  }
}
