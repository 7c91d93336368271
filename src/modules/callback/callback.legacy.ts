import { buildAvailabilityV1 } from '../office-hours/office-hours.legacy.js';
import type { QueuePosition } from '../routing/routing.manager.js';
import { DesiredTimeUnavailableError, DuplicateCallbackError } from './callback.errors.js';
import type { AgentAvailable, CallbackNotification } from './callback.notifications.js';
import type { CallbackDialog, CallbackRow } from './callback.tables.js';

/** A callback as GMS's callback queries show it (`_id`, `_callback_state`, …, then user data). */
export type CallbackRecord = Record<string, unknown>;

/** The body of GMS's `check-queue-position` answer, keys in the seed's order. */
export interface CheckQueuePositionBody {
  _position: number;
  _eta: number | 'n/a';
  _total_waiting: number;
  _agent_ready_threshold_passed: boolean;
  _agent_ready_threshold_passed_reason: string;
}

/**
 * Builds the legacy JSON the callback module returns for `check-queue-position`, field for field
 * as the seed's captures: numbers for `_position`, `_total_waiting` and `_eta` (or "n/a").
 */
export function checkQueuePositionBody(position: QueuePosition): CheckQueuePositionBody {
  return {
    _position: position.position,
    _eta: position.eta === null ? 'n/a' : position.eta,
    _total_waiting: position.totalWaiting,
    _agent_ready_threshold_passed: position.agentReadyThresholdPassed,
    _agent_ready_threshold_passed_reason: position.reason,
  };
}

/** The GMS record (reference §7.4): always-returned keys, lookup keys, then user data. */
export function callbackRecord(cb: CallbackRow): CallbackRecord {
  const out: CallbackRecord = {
    _id: cb.id,
    _service_name: cb.serviceName,
    _callback_state: cb.state,
    _desired_time: (cb.desiredTime ?? cb.createdAt).toISOString(),
    _expiration_time: cb.expiresAt.toISOString(),
    _customer_number: cb.customerNumber ?? '',
    _url: `${cb.baseUrl}/genesys/1/service/callback/${cb.serviceName}/${cb.id}`,
  };
  if (cb.reason) out._callback_reason = cb.reason;
  out._media_type = cb.mediaType;
  out._call_direction = cb.callDirection;
  out._urs_virtual_queue = cb.virtualQueue;
  if (cb.target) out._target = cb.target;
  if (cb.agentId) out._agent_id = cb.agentId;
  out._connect_count = cb.connectCount;
  for (const key of (cb.params._customer_lookup_keys ?? '').split(',').map((s) => s.trim()))
    if (key && out[key] === undefined && cb.params[key] !== undefined) out[key] = cb.params[key];
  for (const [k, v] of Object.entries(cb.userData)) if (out[k] === undefined) out[k] = v;
  return out;
}

/**
 * The extra keys of a callback error's GMS body, after `message`, `exception`, `code`, `phrase`:
 * `availability` for a refused desired time (the v1 availability shape: the free slots offered
 * instead), `_id` of the callback already in queue for a duplicate. Other errors have none.
 */
export function callbackErrorFields(err: unknown): Record<string, unknown> {
  if (err instanceof DesiredTimeUnavailableError)
    return { availability: buildAvailabilityV1(err.availability) };
  if (err instanceof DuplicateCallbackError) return { _id: err.existingId };
  return {};
}

/**
 * The dialog continuation the agent-available push names (`/service/{id}/{_action}`): the
 * confirmation menu, asking for an access code or not.
 */
export const confirmationPath = (provideCode: boolean) =>
  `get-dialog-user-confirmation-provide_code-${provideCode ? 'true' : 'false'}`;

/** The agent-available push message (seed "Push notification data"), `_action` before `_id`. */
export const agentAvailableMessage = (push: AgentAvailable) => ({
  _action: confirmationPath(push.provideCode),
  _id: push.callbackId,
});

/** An agent's notification to the device as pushed and retrieved (seed key order). */
export const deviceNotificationMessage = (n: CallbackNotification) => ({
  _internal_message: n.applicationMessage,
  _id: n.callbackId,
  _display_message: n.displayMessage,
});

/**
 * A `retrieve-notifications` entry from a notification's push message (the event store's `wire`):
 * the seed's key order whatever the stored order (events stored in jsonb, before kinds, had none).
 */
export function retrievedNotification(pushed: unknown): Record<string, unknown> {
  const m = (pushed ?? {}) as Record<string, unknown>;
  return { _internal_message: m._internal_message, _id: m._id, _display_message: m._display_message };
}

/** `retrieve-agent-notifications`: each of the device's messages as a JSON string, tagged for the agent. */
export const agentNotificationBody = (n: CallbackNotification) => ({
  message: JSON.stringify({
    _id: n.callbackId,
    _internal_message: n.applicationMessage,
    _display_message: n.displayMessage,
  }),
  tag: `agent.message.${n.callbackId}`,
});

/** What a dialog is presented with: its callback (id, base URL, gms_user, user data) and when it was answered. */
export interface DialogPresentation {
  callback: Pick<CallbackRow, 'id' | 'baseUrl' | 'gmsUser' | 'userData'>;
  dialog: CallbackDialog;
  at: Date;
}

/**
 * `_expiration_time` of a DialNumber dialog: the whole seconds of the booking that certainly remain
 * once the answer reaches the device (GMS answered "29" for a fresh 30 s booking).
 */
export function expirationSeconds(expiresAt: Date, now: Date): string {
  const ms = expiresAt.getTime() - now.getTime();
  return String(Math.max(0, Math.ceil(ms / 1000) - 1));
}

/**
 * The GMS JSON of a callback dialog (the start's and `connect`'s answers, the agent-available
 * menu), key for key and in the order of the seed's captures ("User Originated Delayed",
 * "Chat Immediate"/"Chat Delayed") and reference §7.3 (ConfirmationDialog, DisplayMenu).
 */
export function dialogBody({ callback: cb, dialog, at }: DialogPresentation): Record<string, unknown> {
  switch (dialog.action) {
    case 'WaitForAgent': {
      const body: Record<string, unknown> = {
        _id: cb.id,
        _text: 'We will notify you when agent is available',
      };
      if (dialog.desiredTime) body._desired_time = dialog.desiredTime;
      return body;
    }
    case 'ConfirmationDialog':
      // The 8.5 user-terminated confirmation (QA-observed spelling `_ok_title`, `_dialog_id`).
      return {
        _id: cb.id,
        _action: 'ConfirmationDialog',
        _text: 'You will receive the call shortly',
        _ok_title: 'Ok',
        _dialog_id: '0',
      };
    case 'StartChat':
      return {
        _dialog_id: '1',
        _action: 'StartChat',
        _label: 'Start Chat',
        _start_chat_url: `${cb.baseUrl}/genesys/1/service/${cb.id}/ixn/chat`,
        _comet_url: `${cb.baseUrl}/genesys/cometd`,
        _user_header: cb.gmsUser ?? '',
        _id_to_jump_before: 'exit://',
        _chat_parameters: { subject: cb.userData.subject || 'None' },
        _id: cb.id,
      };
    case 'DialNumber':
      return {
        _dialog_id: '0',
        _label: 'Connecting ...',
        _action: 'DialNumber',
        _tel_url: `tel:${dialog.accessNumber}`,
        _access_code: dialog.accessCode ?? 'n/a',
        _access_number: dialog.accessNumber,
        _expiration_time: expirationSeconds(new Date(dialog.expiresAt), at),
        _id: cb.id,
      };
    case 'DisplayMenu':
      // The form the GMS sample clients parse: one entry whose `_user_action_url` is `connect`.
      return {
        _dialog_id: '2',
        _action: 'DisplayMenu',
        _label: 'Agent is available',
        _content: [
          {
            _group_name: 'Connect',
            _group_content: [
              { _label: 'Connect now', _user_action_url: `${cb.baseUrl}/genesys/1/service/${cb.id}/connect` },
            ],
          },
        ],
        _id: cb.id,
      };
  }
}
