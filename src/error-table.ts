/**
 * THE table from domain error codes to how the legacy GMS API answers them: HTTP status and the
 * Java exception class GMS clients see in `exception`. Managers throw `DomainError`s with a code
 * and a message only; a code listed here gets its status and exception from this table, any other
 * code the default of its class (ValidationError 400, NotFoundError 404, ConflictError 409,
 * UnavailableError 503, UnauthorizedError 401, ForbiddenError 403; GSGException).
 */

export const GMS_EXCEPTIONS = {
  generic: 'com.genesyslab.gsg.GSGException',
  notFound: 'com.genesyslab.gsg.services.NotFoundException',
  callbackNumber: 'com.genesyslab.gsg.services.callback.exceptions.CallbackExceptionNumber',
  callbackUnavailable: 'com.genesyslab.gsg.services.callback.exceptions.CallbackExceptionServiceUnavailable',
  callbackNotFound: 'com.genesyslab.gsg.services.callback.exceptions.CallbackExceptionNotFound',
  callback: 'com.genesyslab.gsg.services.callback.exceptions.CallbackException',
  capacity: 'com.genesyslab.gsg.services.capacity.CapacityException',
} as const;

export interface LegacyAnswer {
  status?: number;
  exception?: string;
}

const callbackNumber = { exception: GMS_EXCEPTIONS.callbackNumber };
const callbackNotFound = { status: 404, exception: GMS_EXCEPTIONS.callbackNotFound };
const callbackUnavailable = { status: 503, exception: GMS_EXCEPTIONS.callbackUnavailable };
const callbackRefused = { status: 400, exception: GMS_EXCEPTIONS.callback };
const callbackConflict = { status: 409, exception: GMS_EXCEPTIONS.callback };

export const ERROR_TABLE: Readonly<Record<string, LegacyAnswer>> = {
  // Callback (reference §7): GMS's own exception classes.
  'callback/invalid_number': callbackNumber,
  'callback/number_excluded': callbackNumber,
  'callback/not_a_callback_service': callbackNotFound,
  'callback/not_found': callbackNotFound,
  'callback/not_queued': callbackNotFound,
  'callback/queue_limit': callbackUnavailable,
  'callback/throttled': callbackUnavailable,
  'callback/throttled_parameter': callbackUnavailable,
  'callback/duplicate': callbackRefused,
  'callback/desired_time_unavailable': { exception: GMS_EXCEPTIONS.callback },
  'callback/not_connectable': callbackRefused,
  'callback/agent_not_available': callbackRefused,
  'callback/connect_limit': callbackRefused,
  'callback/already_completed': callbackRefused,
  'callback/not_reschedulable': callbackRefused,
  'callback/not_updatable': callbackRefused,
  'callback/not_waiting': callbackConflict,
  'callback/no_pending_dial': callbackConflict,
  // Capacity options.
  'capacity/invalid_option': { exception: GMS_EXCEPTIONS.capacity },
  // The Stat API: GMS answers an ill-defined statistic with 403.
  'routing/unsupported_object_type': { status: 403 },
  'routing/unknown_metric': { status: 403 },
  'routing/object_not_found': { status: 403 },
  // The Service API: a request or query the service type does not serve.
  'sessions/query_not_supported': { status: 405 },
  'sessions/method_not_allowed': { status: 405 },
  // A name taken.
  'templates/exists': { status: 409 },
  'services/duplicate_name': { status: 409 },
};
