/**
 * The call survey of docs/legacy-clients.md: every call the reference's public GMS clients make
 * (gms-legacy-api.md §9 — the Android sample client, the iOS GMSLibrary, Genesys' QA suite), in
 * order, against a running server started with the provisioning file of that document. Prints one
 * line per call: number, client, call, HTTP status and the start of the body. It asserts nothing:
 * the outcomes are judged and recorded in docs/legacy-clients.md.
 *
 *   node --import tsx scripts/legacy-client-survey.ts [base=http://localhost:18117]
 */
const base = process.argv[2] ?? 'http://localhost:18117';
const G = `${base}/genesys`;
const user = { gms_user: 'survey-device-1' };
const admin = { authorization: `Basic ${Buffer.from('default:password').toString('base64')}` };
const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' };
let n = 0;
const ids: Record<string, string> = {};

async function call(
  client: string,
  label: string,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: BodyInit } = {},
): Promise<{ status: number; text: string; body: unknown }> {
  const r = await fetch(path.startsWith('http') ? path : `${G}${path}`, {
    method,
    headers: { ...user, ...init.headers },
    body: init.body,
  });
  const text = await r.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  console.log(
    `${String(++n).padStart(3)} | ${client} | ${label} | ${method} ${path.replace(G, '')} | ${r.status} | ${text.replaceAll('\n', ' ').slice(0, 260)}`,
  );
  return { status: r.status, text, body };
}

const enc = (o: Record<string, string | number | boolean>) =>
  new URLSearchParams(Object.entries(o).map(([k, v]) => [k, String(v)])).toString();
const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();
const field = (b: unknown, k: string) => String((b as Record<string, unknown> | null)?.[k] ?? '');

async function gql(query: string, headers: Record<string, string> = admin) {
  const r = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { ...json, ...headers },
    body: JSON.stringify({ query }),
  });
  return (await r.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
}

async function agentReady(): Promise<void> {
  const login = await gql(
    'mutation { agentLogin(agentId: "alice", password: "alice-password") { ... on MutationAgentLoginSuccess { data { token } } } }',
    {},
  );
  const token = ((login.data?.agentLogin as { data?: { token?: string } })?.data?.token ?? '') as string;
  await gql('mutation { agentSetState(state: READY) { __typename } }', { authorization: `Bearer ${token}` });
}

async function android(): Promise<void> {
  const A = 'Android sample';
  // CallbackApiManager start (Gson, @Body Map; null values dropped by Gson): VOICE-WAIT-USERORIG.
  const start = await call(A, 'startCallback', 'POST', '/1/service/callback/voice-userorig-delay', {
    headers: json,
    body: JSON.stringify({
      _customer_number: '5551230001',
      _callback_state: '',
      _urs_virtual_queue: '',
      _request_queue_time_stat: '',
      first_name: 'John',
      _device_notification_id: 'gcm-token-1',
      _device_os: 'gcm',
    }),
  });
  ids.cb1 = field(start.body, '_id');
  await call(A, 'check-queue-position', 'GET', `/1/service/${ids.cb1}/check-queue-position`);
  await call(
    A,
    'queryCallback (operand AND)',
    'GET',
    `/1/service/callback/voice-userorig-delay?${enc({ operand: 'AND', _customer_number: '5551230001' })}`,
  );
  await call(
    A,
    'queryAvailability',
    'GET',
    `/1/service/callback/CallbackV2_VQ/availability?${enc({ start: iso(3600_000), 'number-of-days': 1, 'max-time-slots': 5 })}`,
  );
  await call(
    A,
    'queryCallbackAdmin',
    'GET',
    `/1/admin/callback/queues?${enc({ target: 'voice-userorig-delay', end_time: iso(86_400_000), max: 10 })}`,
    { headers: admin },
  );
  await call(
    A,
    'queryCallbackAdmin (no credentials)',
    'GET',
    `/1/admin/callback/queues?${enc({ target: 'voice-userorig-delay', max: 10 })}`,
  );
  await agentReady();
  await call(A, 'dialog follow-up GET {_id}/{_action} (connect)', 'GET', `/1/service/${ids.cb1}/connect`);
  const sched = await call(
    A,
    'startCallback scheduled (VOICE-SCHEDULED-USERTERM)',
    'POST',
    '/1/service/callback/CallbackV2_VQ',
    {
      headers: json,
      body: JSON.stringify({
        _customer_number: '5551230002',
        _desired_time: iso(2 * 3600_000).replace(/\.\d{3}Z$/, '.000Z'),
      }),
    },
  );
  ids.cb2 = field(sched.body, '_id');
  await call(
    A,
    'updateCallback (_new_desired_time, _callback_state)',
    'PUT',
    `/1/service/callback/CallbackV2_VQ/${ids.cb2}`,
    {
      headers: json,
      body: JSON.stringify({ _new_desired_time: iso(3 * 3600_000), _callback_state: 'SCHEDULED' }),
    },
  );
  await call(A, 'updateStorage (service storage)', 'POST', `/1/service/${ids.cb2}/storage`, {
    headers: form,
    body: enc({ note: 'hello', lang: 'en' }),
  });
  await call(A, 'queryAllKeys (service storage)', 'GET', `/1/service/${ids.cb2}/storage`);
  await call(A, 'queryOneKey', 'GET', `/1/service/${ids.cb2}/storage/note`);
  const png = new FormData();
  png.append(
    'screen',
    new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'application/octet-stream' }),
    'temp',
  );
  await call(A, 'CaptureManager upload (multipart)', 'POST', `/1/service/${ids.cb2}/storage`, { body: png });
  await call(A, 'queryBinary', 'GET', `/1/service/${ids.cb2}/storage/binary/screen`);
  await call(A, 'deleteKey', 'DELETE', `/1/service/${ids.cb2}/storage/note`);
  await call(A, 'cancelCallback', 'DELETE', `/1/service/callback/CallbackV2_VQ/${ids.cb2}`);
  await call(A, 'cancelCallback (first)', 'DELETE', `/1/service/callback/voice-userorig-delay/${ids.cb1}`);
  // StorageApi
  const st = await call(A, 'StorageApi.create', 'POST', '/1/storage/300', {
    headers: form,
    body: enc({ key1: 'Value1', key2: 'Value2' }),
  });
  ids.st = field(st.body, 'id');
  await call(A, 'StorageApi.update', 'POST', `/1/storage/${ids.st}/600`, {
    headers: form,
    body: enc({ key3: 'Value3' }),
  });
  const bin = new FormData();
  bin.append('photo', new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }), 'photo.png');
  await call(A, 'StorageApi.updateBinary', 'POST', `/1/storage/${ids.st}/600`, { body: bin });
  await call(A, 'StorageApi.queryAllKeys', 'GET', `/1/storage/${ids.st}`);
  await call(A, 'StorageApi.queryOneKey', 'GET', `/1/storage/${ids.st}/key1`);
  await call(A, 'StorageApi.queryBinary', 'GET', `/1/storage/binary/${ids.st}/photo`);
  await call(A, 'StorageApi.delete', 'DELETE', `/1/storage/${ids.st}`);
  // CaptureManager
  await call(A, 'CaptureManager share-request', 'POST', '/1/service/share-request', {
    headers: form,
    body: enc({ account_id: '1234' }),
  });
  // ChatApi (request-chat as shipped; the full chat is replayed in test/legacy-clients.test.ts)
  const chat = await call(A, 'ChatApi.basicChat', 'POST', '/1/service/request-chat', {
    headers: form,
    body: enc({ _verbose: false }),
  });
  ids.chat = field(chat.body, '_id');
  await call(A, 'ChatApi.startChat (comet)', 'POST', `/1/service/${ids.chat}/ixn/chat`, {
    headers: form,
    body: enc({
      _verbose: false,
      notify_by: 'comet',
      firstName: 'Jane',
      lastName: 'Doe',
      email: 'j@d.com',
      subject: 'Help',
      userDisplayName: 'Jane',
    }),
  });
  await call(A, 'ChatApi.refresh', 'POST', `/1/service/${ids.chat}/ixn/chat/refresh`, {
    headers: form,
    body: enc({ transcriptPosition: 1, _verbose: false }),
  });
  await call(A, 'ChatApi.disconnect', 'POST', `/1/service/${ids.chat}/ixn/chat/disconnect`, {
    headers: form,
    body: enc({ _verbose: false }),
  });
  // CometClient: long-polling handshake with gms_user, subscribe /_genesys.
  const hs = await call(A, 'CometClient handshake (long-polling)', 'POST', '/cometd/handshake', {
    headers: json,
    body: JSON.stringify([
      { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'], id: '1' },
    ]),
  });
  const clientId = ((hs.body as { clientId?: string }[] | null)?.[0]?.clientId ?? '') as string;
  await call(A, 'CometClient subscribe /_genesys', 'POST', '/cometd', {
    headers: json,
    body: JSON.stringify([{ channel: '/meta/subscribe', subscription: '/_genesys', clientId, id: '2' }]),
  });
  // Push demo (gms-push-demo NotificationService)
  const sub = await call('Android push demo', 'subscribe', 'POST', '/1/notification/subscription', {
    headers: json,
    body: JSON.stringify({
      subscriberId: 'survey',
      providerName: 'default',
      notificationDetails: { deviceId: 'http://127.0.0.1:9/cb', type: 'httpcb' },
      expire: 30,
      filter: 'ors.contact.12345678',
    }),
  });
  await call('Android push demo', 'publish', 'POST', '/1/notification/publish', {
    headers: json,
    body: JSON.stringify({ message: 'hello', tag: 'ors.contact.12345678', mediaType: 'string' }),
  });
  await call(
    'Android push demo',
    'unsubscribe',
    'DELETE',
    `/1/notification/subscription/${field(sub.body, 'id')}`,
  );
}

async function ios(): Promise<void> {
  const I = 'iOS GMSLibrary';
  const start = await call(I, 'startCallback (JSON)', 'POST', '/1/service/callback/callback-immediate', {
    headers: { ...json, accept: 'application/json' },
    body: JSON.stringify({ _customer_number: '5551230003', first_name: 'Kim' }),
  });
  const id = field(start.body, '_id');
  await call(I, 'queryCallbackById', 'GET', `/1/service/callback?_id=${id}`, {
    headers: { accept: 'application/json' },
  });
  await call(
    I,
    'queryCallback (operand OR)',
    'GET',
    `/1/service/callback/callback-immediate?${enc({ operand: 'OR', _customer_number: '5551230003' })}`,
  );
  await call(
    I,
    'queryAvailabilityV1',
    'GET',
    `/1/service/callback/CallbackV2_VQ/availability?${enc({ start: iso(3600_000), 'number-of-days': 2, 'max-time-slots': 4 })}`,
  );
  await call(
    I,
    'queryAvailabilityV2',
    'GET',
    `/2/service/callback/CallbackV2_VQ/availability?${enc({ 'start-ms': Date.now() + 3600_000, 'number-of-days': 1, 'max-time-slots': 4, timezone: 'Europe/Paris', 'report-busy': 1 })}`,
  );
  const sched = await call(I, 'startCallback scheduled', 'POST', '/1/service/callback/CallbackV2_VQ', {
    headers: json,
    body: JSON.stringify({ _customer_number: '5551230004', _desired_time: iso(5 * 3600_000) }),
  });
  await call(
    I,
    'rescheduleCallback',
    'PUT',
    `/1/service/callback/CallbackV2_VQ/${field(sched.body, '_id')}`,
    {
      headers: json,
      body: JSON.stringify({ _new_desired_time: iso(6 * 3600_000) }),
    },
  );
  await call(
    I,
    'cancelCallback (discard_ors_failure=1)',
    'DELETE',
    `/1/service/callback/CallbackV2_VQ/${field(sched.body, '_id')}?discard_ors_failure=1`,
  );
  await call(I, 'error shape (bad number)', 'POST', '/1/service/callback/callback-immediate', {
    headers: json,
    body: JSON.stringify({ _customer_number: '+12345678901' }),
  });
  await call(I, 'cancelCallback', 'DELETE', `/1/service/callback/callback-immediate/${id}`);
}

async function qa(): Promise<void> {
  const Q = 'QA suite';
  const imm = await call(Q, 'startImmediateCallback', 'POST', '/1/service/callback/callback-immediate', {
    headers: json,
    body: JSON.stringify({ _customer_number: '5551230005' }),
  });
  await call(Q, 'startScheduledCallback', 'POST', '/1/service/callback/CallbackV2_VQ', {
    headers: json,
    body: JSON.stringify({ _customer_number: '5551230005', _desired_time: iso(4 * 3600_000) }),
  });
  await call(Q, 'queryCallbackByID', 'GET', `/1/service/callback?_id=${field(imm.body, '_id')}`, {
    headers: form,
  });
  await call(Q, 'checkQueuePosition', 'GET', `/1/service/${field(imm.body, '_id')}/check-queue-position`, {
    headers: form,
  });
  await call(Q, 'queryCallbackByQueue()', 'GET', '/1/admin/callback/queues', {
    headers: { ...form, ...admin },
  });
  await call(
    Q,
    'queryCallbackByQueue(target=service)',
    'GET',
    `/1/admin/callback/queues?target=CallbackV2_VQ`,
    { headers: { ...form, ...admin } },
  );
  await call(
    Q,
    'queryCallbackByStates(QUEUED,SCHEDULED, 30 days)',
    'GET',
    `/1/admin/callback/queues?${enc({ target: 'CallbackV2_VQ', end_time: iso(30 * 86_400_000), states: 'QUEUED,SCHEDULED' })}`,
    { headers: { ...form, ...admin } },
  );
  await call(
    Q,
    'queryCallbackByState(!COMPLETED)',
    'GET',
    `/1/service/callback?${enc({ _customer_number: '5551230005', _callback_state: '!COMPLETED' })}`,
    { headers: form },
  );
  await call(Q, 'queryCounterWatermarks', 'GET', '/1/admin/callback/watermarks', {
    headers: { ...form, ...admin },
  });
  await call(
    Q,
    'queryCounterWatermarks(service_name)',
    'GET',
    '/1/admin/callback/watermarks?service_name=CallbackV2_VQ',
    { headers: { ...form, ...admin } },
  );
  await call(Q, 'exportCancelled', 'POST', '/1/admin/callback/reportcancelled', {
    headers: { ...json, ...admin },
    body: JSON.stringify({ callback_reason: 'CANCELLED', exported_properties: ['_customer_number'] }),
  });
  await call(Q, 'cancelCallbacksByReason', 'POST', '/1/admin/callback/cancel', {
    headers: { ...json, ...admin },
    body: JSON.stringify({ reason: 'cleanup', ids: [field(imm.body, '_id')] }),
  });
  // ServiceAPI
  const ri = await call(
    Q,
    'request-interaction (configured iPhoneService)',
    'POST',
    '/1/service/iPhoneService',
    { headers: form, body: enc({ _phone_number: '5551230006' }) },
  );
  await call(Q, 'match-interaction', 'POST', '/1/service/match-interaction', {
    headers: form,
    body: enc({ _access_number: field(ri.body, '_access_number'), _phone_number: '5551230006' }),
  });
  const ri2 = await call(
    Q,
    'request-interaction (builtin, _resource_group)',
    'POST',
    '/1/service/request-interaction',
    {
      headers: form,
      body: enc({ _phone_number: '5551230007', _resource_group: 'DNIS', _provide_code: true }),
    },
  );
  await call(Q, 'request-access', 'POST', '/1/service/request-access', {
    headers: form,
    body: enc({ _id: field(ri2.body, '_id'), _resource_group: 'DNIS' }),
  });
  await call(Q, 'phone number API', 'GET', '/1/phonenumber?number=0604120405&country=FR&geocodingLocale=DE');
  await call(Q, 'phone number API (bad)', 'GET', '/1/phonenumber?number=abc&country=DE');
  await call(Q, 'patterns', 'POST', '/1/patterns', {
    headers: form,
    body: enc({ param1: '1234562', param3: '911' }),
  });
  await call(Q, 'patterns/group', 'POST', '/1/patterns/group/cb_errors', {
    headers: form,
    body: enc({ n: '+12345678901' }),
  });
  await call(Q, 'node status', 'GET', '/1/admin/node/status', { headers: admin });
  await call(Q, 'node (8.1.1)', 'GET', '/1/node');
  await call(Q, 'ORS service hello', 'POST', '/1/service/hello', { headers: form, body: enc({ a: '1' }) });
  await call(Q, 'basic auth wrong password', 'GET', '/1/admin/callback/queues', {
    headers: { authorization: `Basic ${Buffer.from('default:wrong').toString('base64')}` },
  });
  await call(
    Q,
    'office-hours calendar',
    'GET',
    `/1/service/business-hours?${enc({ start: iso(0).replace(/\.\d{3}Z$/, 'Z'), 'number-of-days': 1 })}`,
  );
  await call(Q, 'stat API', 'POST', '/1/internal_statistic', {
    headers: form,
    body: enc({ objectId: 'VQ_Callback', objectType: 'Queue', metric: 'CurrNumberWaitingCalls' }),
  });
}

await android();
await ios();
await qa();
