import { describe, expect, it } from 'vitest';
import {
  agentAvailableMessage,
  agentNotificationBody,
  type DialogPresentation,
  deviceNotificationMessage,
  dialogBody,
  retrievedNotification,
} from './callback.legacy.js';
import type { CallbackDialog } from './callback.tables.js';

/**
 * The GMS JSON of each dialog kind, byte for byte: `JSON.stringify(body, null, 2)` against the bodies
 * of the seed's captures (gms-8.1.2-service-management-help.txt, "User Originated Delayed" start and
 * connect, "Chat Immediate" start) copied verbatim with their ids, and reference §7.3 for the ones the
 * seed has no capture of. String comparison pins key order, which toEqual would not.
 */

/** The seed's device token (gms_user) and public base URL. */
const GMS_USER = 'b16416334828b1d26ef14f329628b55b5a8c631d8928a371a5584722dd7fb673';
const BASE = 'http://localhost:8080';

const callback = (id: string, userData: Record<string, string> = {}): DialogPresentation['callback'] => ({
  id,
  baseUrl: BASE,
  gmsUser: GMS_USER,
  userData,
});

const present = (
  dialog: CallbackDialog,
  cb = callback('369-90f389cf-ae63-46ec-a3f7-7b76c0522e2f'),
  at = new Date(),
) => JSON.stringify(dialogBody({ callback: cb, dialog, at }), null, 2);

describe('callback dialogs as GMS JSON (callback.legacy.ts)', () => {
  it('WaitForAgent: the seed\'s "User Originated Delayed" start body', () => {
    expect(present({ action: 'WaitForAgent', desiredTime: null })).toBe(`{
  "_id": "369-90f389cf-ae63-46ec-a3f7-7b76c0522e2f",
  "_text": "We will notify you when agent is available"
}`);
  });

  it('WaitForAgent, scheduled: the desired time follows the text', () => {
    expect(present({ action: 'WaitForAgent', desiredTime: '2013-07-30T07:30:00.000Z' })).toBe(`{
  "_id": "369-90f389cf-ae63-46ec-a3f7-7b76c0522e2f",
  "_text": "We will notify you when agent is available",
  "_desired_time": "2013-07-30T07:30:00.000Z"
}`);
  });

  it('DialNumber: the seed\'s "User Originated Delayed" connect body (29 s left of a fresh 30 s booking)', () => {
    const at = new Date('2013-07-30T06:54:21.000Z');
    const dialog: CallbackDialog = {
      action: 'DialNumber',
      accessNumber: '6504663205',
      accessCode: null,
      bookingId: '17',
      expiresAt: new Date(at.getTime() + 30_000).toISOString(),
    };
    expect(present(dialog, undefined, at)).toBe(`{
  "_dialog_id": "0",
  "_label": "Connecting ...",
  "_action": "DialNumber",
  "_tel_url": "tel:6504663205",
  "_access_code": "n/a",
  "_access_number": "6504663205",
  "_expiration_time": "29",
  "_id": "369-90f389cf-ae63-46ec-a3f7-7b76c0522e2f"
}`);
    // With an access code (_provide_code), and what is left of the booking later on.
    const later = JSON.parse(
      present({ ...dialog, accessCode: '123456' }, undefined, new Date(at.getTime() + 10_500)),
    ) as Record<string, unknown>;
    expect(later).toMatchObject({ _access_code: '123456', _expiration_time: '19' });
    expect(JSON.parse(present(dialog, undefined, new Date(at.getTime() + 60_000)))._expiration_time).toBe(
      '0',
    );
  });

  it('StartChat: the seed\'s "Chat Immediate" start body (subject from user data, else None)', () => {
    const cb = callback('369-01d32409-b4bb-4884-b266-02d8216fe5e3');
    expect(present({ action: 'StartChat' }, cb)).toBe(`{
  "_dialog_id": "1",
  "_action": "StartChat",
  "_label": "Start Chat",
  "_start_chat_url": "http://localhost:8080/genesys/1/service/369-01d32409-b4bb-4884-b266-02d8216fe5e3/ixn/chat",
  "_comet_url": "http://localhost:8080/genesys/cometd",
  "_user_header": "b16416334828b1d26ef14f329628b55b5a8c631d8928a371a5584722dd7fb673",
  "_id_to_jump_before": "exit://",
  "_chat_parameters": {
    "subject": "None"
  },
  "_id": "369-01d32409-b4bb-4884-b266-02d8216fe5e3"
}`);
    const withSubject = { ...cb, userData: { subject: 'Billing' }, gmsUser: null };
    expect(JSON.parse(present({ action: 'StartChat' }, withSubject))).toMatchObject({
      _user_header: '',
      _chat_parameters: { subject: 'Billing' },
    });
  });

  it('ConfirmationDialog: the user-terminated start of reference §7.3, keys in its order', () => {
    expect(
      JSON.stringify(
        dialogBody({ callback: callback('<id>'), dialog: { action: 'ConfirmationDialog' }, at: new Date() }),
      ),
    ).toBe(
      '{"_id":"<id>","_action":"ConfirmationDialog","_text":"You will receive the call shortly","_ok_title":"Ok","_dialog_id":"0"}',
    );
  });

  it('DisplayMenu: the agent-available continuation, one entry whose _user_action_url is connect (§7.3 shape)', () => {
    expect(present({ action: 'DisplayMenu' })).toBe(`{
  "_dialog_id": "2",
  "_action": "DisplayMenu",
  "_label": "Agent is available",
  "_content": [
    {
      "_group_name": "Connect",
      "_group_content": [
        {
          "_label": "Connect now",
          "_user_action_url": "http://localhost:8080/genesys/1/service/369-90f389cf-ae63-46ec-a3f7-7b76c0522e2f/connect"
        }
      ]
    }
  ],
  "_id": "369-90f389cf-ae63-46ec-a3f7-7b76c0522e2f"
}`);
  });

  it('the agent-available push: the seed\'s "Push notification data" message, naming the continuation', () => {
    expect(
      JSON.stringify(
        agentAvailableMessage({ callbackId: '369-90f389cf-ae63-46ec-a3f7-7b76c0522e2f', provideCode: false }),
        null,
        2,
      ),
    ).toBe(`{
  "_action": "get-dialog-user-confirmation-provide_code-false",
  "_id": "369-90f389cf-ae63-46ec-a3f7-7b76c0522e2f"
}`);
    expect(agentAvailableMessage({ callbackId: 'x', provideCode: true })._action).toBe(
      'get-dialog-user-confirmation-provide_code-true',
    );
  });

  it("notifications: pushed and retrieved in the seed key order, the agent's as a JSON string", () => {
    const n = { callbackId: 'cb-1', displayMessage: 'Shown', applicationMessage: 'APP' };
    expect(JSON.stringify(deviceNotificationMessage(n))).toBe(
      '{"_internal_message":"APP","_id":"cb-1","_display_message":"Shown"}',
    );
    // An event stored before kinds, its keys in another order: listed in the seed's.
    expect(
      JSON.stringify(
        retrievedNotification({ _display_message: 'Shown', _id: 'cb-1', _internal_message: 'APP' }),
      ),
    ).toBe('{"_internal_message":"APP","_id":"cb-1","_display_message":"Shown"}');
    expect(agentNotificationBody(n)).toEqual({
      message: '{"_id":"cb-1","_internal_message":"APP","_display_message":"Shown"}',
      tag: 'agent.message.cb-1',
    });
  });

  it('presents a dialog as stored in jsonb before this change (DialNumber fields, bare StartChat)', () => {
    // Rows written by the earlier code: the same fields, read back from JSON text.
    const stored = JSON.parse(
      '{"action":"DialNumber","accessNumber":"6504663205","accessCode":null,"bookingId":"3","expiresAt":"2013-07-30T06:54:51.000Z"}',
    ) as CallbackDialog;
    expect(JSON.parse(present(stored, undefined, new Date('2013-07-30T06:54:21.000Z')))).toMatchObject({
      _action: 'DialNumber',
      _tel_url: 'tel:6504663205',
      _expiration_time: '29',
    });
    expect(JSON.parse(present(JSON.parse('{"action":"StartChat"}') as CallbackDialog))).toMatchObject({
      _action: 'StartChat',
    });
  });
});
