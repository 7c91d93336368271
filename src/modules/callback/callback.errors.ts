import { DomainError, ValidationError } from '../../errors.js';
import type { Availability } from '../office-hours/capacity.engine.js';

/**
 * The callback errors that carry data beyond a code and a message. The data stays typed (domain
 * values); the legacy edge turns it into GMS's extra JSON keys through the presenter
 * (`callbackErrorFields` in callback.legacy.ts), so no rule here knows the wire shape.
 */

/** A desired time refused (too far ahead, closed, or its slot full), with the free slots to offer instead. */
export class DesiredTimeUnavailableError extends ValidationError {
  constructor(
    message: string,
    readonly availability: Availability,
  ) {
    super('callback/desired_time_unavailable', message, '_desired_time');
  }
}

/** A callback for the same customer is already in queue (`_enable_in_queue_checking`): its id. */
export class DuplicateCallbackError extends DomainError {
  constructor(
    message: string,
    readonly existingId: string,
  ) {
    super('callback/duplicate', message);
  }
}
