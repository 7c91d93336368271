import { ERROR_TABLE } from './error-table.js';

/**
 * Typed domain errors with a stable `code` (`<module>/<reason>`). Managers throw them; the GraphQL
 * layer exposes them as result-union members, the legacy layer maps them to an HTTP status and
 * GMS's JSON error body: by code through error-table.ts, else by class.
 */
export class DomainError extends Error {
  override name = 'DomainError';
  /** HTTP status the legacy layer answers with. */
  readonly status: number = 400;
  /** Java exception class name GMS clients see in `exception`. */
  readonly exception: string = 'com.genesyslab.gsg.GSGException';
  constructor(
    readonly code: string,
    message: string,
    options: { status?: number; exception?: string } = {},
  ) {
    super(message);
    if (options.status !== undefined) this.status = options.status;
    if (options.exception !== undefined) this.exception = options.exception;
    // The legacy answer of a listed code comes from the one table (error-table.ts), never the thrower.
    const listed = ERROR_TABLE[code];
    if (listed?.status !== undefined) this.status = listed.status;
    if (listed?.exception !== undefined) this.exception = listed.exception;
  }
}

/** Bad input; `field` names the parameter, option or path at fault. */
export class ValidationError extends DomainError {
  override name = 'ValidationError';
  constructor(
    code: string,
    message: string,
    readonly field: string | null = null,
    options: { status?: number; exception?: string } = {},
  ) {
    super(code, message, { status: 400, ...options });
  }
}

export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
  constructor(code: string, message: string, options: { exception?: string } = {}) {
    super(code, message, {
      status: 404,
      exception: 'com.genesyslab.gsg.services.NotFoundException',
      ...options,
    });
  }
}

export class ConflictError extends DomainError {
  override name = 'ConflictError';
  constructor(code: string, message: string) {
    super(code, message, { status: 409 });
  }
}

export class UnavailableError extends DomainError {
  override name = 'UnavailableError';
  constructor(code: string, message: string, options: { exception?: string } = {}) {
    super(code, message, { status: 503, ...options });
  }
}

export class UnauthorizedError extends DomainError {
  override name = 'UnauthorizedError';
  constructor(message = 'Authentication required') {
    super('auth/unauthorized', message, {
      status: 401,
      exception: 'com.genesyslab.gsg.services.security.AuthenticationException',
    });
  }
}

export class ForbiddenError extends DomainError {
  override name = 'ForbiddenError';
  constructor(message = 'Not allowed') {
    super('auth/forbidden', message, {
      status: 403,
      exception: 'com.genesyslab.gsg.services.security.AuthorizationException',
    });
  }
}
