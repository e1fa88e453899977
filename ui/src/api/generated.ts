// Generated from crates/api by `scripts/gen-ts`. Do not edit: change the Rust types.

export type AccountCheck = { name: string, status: CheckStatus, detail: string, fix: string | null, };

/**
 * Every account form: the name every account has, then each provider's settings and secrets.
 */
export type AccountFields = { name: FieldSpec, providers: Array<ProviderFields>, };

export type AccountRef = { name: string, };

export type AccountTest = { account: string, checks: Array<AccountCheck>, telnyx_usage: TelnyxUsage | null, };

/**
 * An account as the UI sees it: its settings and which secrets the keychain holds (never their
 * values).
 */
export type AccountView = { profile: Profile, secrets: Array<SecretStatus>, 
/**
 * Why the secrets' status is unknown (a locked or missing keychain), if it is.
 */
keychain_error: ApiError | null, };

/**
 * The error every face shows: a stable code, a message naming what was wrong, and a hint.
 */
export type ApiError = { code: string, message: string, hint: string | null, 
/**
 * The input field that was wrong (for `bad_input`), e.g. `profile.account_sid`.
 */
field: string | null, };

export type AppInfo = { face: Face, version: string, journal_path: string, log_dir: string, config_dir: string, echo_numbers: Array<EchoNumber>, 
/**
 * What the account forms show and check: each provider's settings and secrets.
 */
account_fields: AccountFields, };

export type BrowserMode = { 
/**
 * The address browser mode serves, without its key.
 */
address: string, 
/**
 * The address with this launch's key, for the user to open or copy when no browser opened.
 */
url: string, 
/**
 * Whether the default browser was asked to open it.
 */
opened: boolean, };

export type CallCredentials = { "provider": "telnyx" } & TelnyxCall | { "provider": "twilio" } & TwilioCall | { "provider": "sip" } & SipCall;

export type CallRef = { 
/**
 * The call's id, or its short number for `get_call`.
 */
call_id: string, };

export type CallState = "idle" | "connecting" | "ready" | "dialing" | "trying" | "ringing" | "early" | "active" | "held" | "ended";

/**
 * A call as the history list shows it.
 */
export type CallSummary = { 
/**
 * A short local number for the CLI (`callscope calls show 12`).
 */
number: number, id: string, provider: Provider, 
/**
 * The account the call went through; none for the Echo line.
 */
account: string | null, direction: Direction, destination: string, started_at: string, 
/**
 * The latest normalised state.
 */
state: CallState, ended_at: string | null, ended_by: EndedBy | null, failure: Failure | null, timings: Timings | null, event_count: number, 
/**
 * What happened, in one line (the diagnosis's summary), once the call has ended.
 */
reason: string | null, };

/**
 * A call as the UI shows it: the journal's record with every event, and what the backend's
 * diagnosis reads from them.
 */
export type CallView = { 
/**
 * What happened and what to fix, for an ended call (worked out when asked, not stored).
 */
diagnosis: Diagnosis | null, call: CallSummary, events: Array<JournalEvent>, };

export type CheckStatus = "pass" | "warn" | "fail";

export type ChoiceOption = { value: string, label: string, };

/**
 * One sentence of the diagnosis and the evidence it rests on (indices into `evidence`).
 */
export type Claim = { part: Part, text: string, evidence: Array<number>, };

export type Confidence = "low" | "medium" | "high";

export type CreateCall = { 
/**
 * The UI's monotonic clock (`performance.now()`, ms) as it asks: events it stamps later
 * with `observed_at` map onto the call's one clock from here.
 */
ui_clock?: number, provider: Provider, 
/**
 * The account to call through (required for every provider but the Echo line).
 */
account?: string, destination: string, direction?: Direction, };

/**
 * Which account to fetch call credentials for.
 */
export type CredentialsFor = { name: string, 
/**
 * Mint a new token even when a cached one is still valid (after the provider refused it).
 */
fresh?: boolean, };

export type DecodedCode = { 
/**
 * The catalog's name ("SIP", "Q.850", "Telnyx D-code", ...).
 */
catalog: string, code: string, name: string, meaning: string, 
/**
 * What to read before trusting this code alone, where the catalog has a warning.
 */
caveat: string | null, };

export type Diagnosis = { 
/**
 * One line for lists: what happened.
 */
summary: string, 
/**
 * What most likely happened, in plain words (the explanation claims, joined).
 */
explanation: string, outcome: Outcome, confidence: Confidence, 
/**
 * What to check or change, and where (the fix claims).
 */
fix: Array<string>, 
/**
 * Every fact the claims rest on.
 */
evidence: Array<Evidence>, 
/**
 * Every sentence above, with the evidence it rests on (indices into `evidence`).
 */
claims: Array<Claim>, 
/**
 * Every code the call carried, decoded in the catalog of the layer that gave it.
 */
codes: Array<DecodedCode>, 
/**
 * Other things the rules found: conditions beside the end, less likely explanations.
 */
also: Array<string>, 
/**
 * Which rule decided (for support and tests).
 */
rule: string, };

export type Direction = "outbound" | "inbound";

/**
 * An empty success.
 */
export type Done = Record<symbol, never>;

export type DtmfMode = "rfc2833" | "info";

export type EchoDial = { call_id: string, offer_sdp: string, };

/**
 * A number on the Echo line, as the dialer lists it.
 */
export type EchoNumber = { number: string, name: string, scenario: EchoScenario, description: string, };

export type EchoScenario = "echo" | "ring_no_answer" | "silence" | "reject" | "busy" | "ice_fail" | "not_found";

/**
 * What the far end does or says, in order. The backend journals each one and passes the
 * signalling ones to the UI.
 */
export type EchoSignal = { "signal": "trying" } | { "signal": "ringing" } | { "signal": "answer", sdp: string, } | { "signal": "reject", status: number, reason: string, q850_cause: number, } | { "signal": "bye", reason: string, } | { "signal": "hangup_confirmed", status: number, reason: string, };

/**
 * How a call ended: who ended it and every code the far end or the provider gave.
 */
export type EndInfo = { by: EndedBy, failure: Failure, };

/**
 * Who ended the call.
 */
export type EndedBy = "local" | "remote" | "error" | "interrupted";

/**
 * Something the backend tells every open UI, as it happens.
 */
export type Event = { "type": "journal", event: JournalEvent, } | { "type": "call", call: CallSummary, } | { "type": "echo", call_id: string, seq: number | null, signal: EchoSignal, };

export type EventKind = "state" | "signal" | "media" | "stats" | "action" | "warning" | "error" | "probe";

/**
 * One fact a diagnosis rests on.
 */
export type Evidence = { 
/**
 * The event's `seq`: within the call, or within its launch for a line event; 0 for a setting.
 */
seq: number, place: Place, 
/**
 * The launch a line event was recorded in.
 */
launch_id?: number, fact: Fact, 
/**
 * What it shows, in words.
 */
note: string, };

/**
 * Which face of Callscope is answering.
 */
export type Face = "window" | "browser" | "cli";

/**
 * What a piece of evidence shows, checkable against the event it names.
 */
export type Fact = { "kind": "state", state: CallState, } | { "kind": "signal", summary: string, } | { "kind": "header", name: string, value: string, } | { "kind": "media", pc: string, } | { "kind": "stats" } | { "kind": "error", code: string | null, } | { "kind": "warning", code: string | null, } | { "kind": "action", action: string, } | { "kind": "setting", name: string, value: string, };

/**
 * What a failed (or ended) call said about why: every code kept as the provider gave it.
 */
export type Failure = { 
/**
 * The provider's own code or cause name (Telnyx cause, Twilio error code, ...).
 */
provider_code?: string, sip_status?: number, sip_reason?: string, 
/**
 * Q.850 cause value, from a `Reason:` header or a provider field (a provider's cause code,
 * which may extend Q.850: Telnyx's MEDIA_TIMEOUT is 804).
 */
q850_cause?: number, 
/**
 * A human message from the provider or the app (e.g. "media never connected").
 */
message?: string, };

/**
 * How a value is entered.
 */
export type FieldInput = { "kind": "text", phone: boolean, suggestions: Array<string>, } | { "kind": "number" } | { "kind": "checkbox" } | { "kind": "choice", options: Array<ChoiceOption>, } | { "kind": "ice_servers", row: string, urls: SubField, username: SubField, };

/**
 * What a value must be: text that matches `pattern`, or a number in `min..=max`.
 */
export type FieldRule = { 
/**
 * A regular expression the whole text must match (anchored `^…$`).
 */
pattern: string | null, min: number | null, max: number | null, 
/**
 * What is wrong with a value that breaks the rule; messages put the field's label first.
 */
message: string, };

/**
 * One setting of an account, as the form shows it.
 */
export type FieldSpec = { 
/**
 * The setting's key in the profile (`account_sid`); a `bad_input` error names it.
 */
field: string, 
/**
 * What the form calls it, and what error messages call it.
 */
label: string, 
/**
 * Help shown with the field.
 */
hint: string | null, placeholder: string | null, 
/**
 * An account cannot be saved without it.
 */
required: boolean, input: FieldInput, 
/**
 * The rule a value must keep, and what is wrong when it does not.
 */
rule: FieldRule | null, 
/**
 * Shown under "Advanced" (opened when filled, or when the backend names it).
 */
advanced: boolean, };

export type IceServer = { urls: Array<string>, username?: string, };

/**
 * An ICE server as `RTCPeerConnection` takes it.
 */
export type IceServerConfig = { urls: Array<string>, username: string | null, 
/**
 * A static TURN user's password: WebRTC itself needs it in the page to authenticate to the
 * TURN server, so this one secret does reach the UI, for the call's peer connection only.
 */
credential: string | null, };

/**
 * One journaled event.
 */
export type JournalEvent = { 
/**
 * The call this belongs to; none for app-level events (e.g. the WebRTC probe at start).
 */
call_id: string | null, launch_id: number, 
/**
 * 1, 2, 3... within the call (or within the launch for app-level events).
 */
seq: number, 
/**
 * Milliseconds since the call (or launch) started, on a monotonic clock.
 */
t_ms: number, 
/**
 * Wall-clock UTC, RFC 3339 with milliseconds.
 */
at: string, source: Source, kind: EventKind, payload: JsonValue, };

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

export type ListCalls = { limit?: number, };

export type LogLevel = "debug" | "info" | "warn" | "error";

export type LogLine = { level: LogLevel, message: string, };

export type NoParams = Record<symbol, never>;

/**
 * Whether the call went as it should.
 */
export type Outcome = "ok" | "degraded" | "failed";

/**
 * Which part of the diagnosis a claim is.
 */
export type Part = "summary" | "explanation" | "fix" | "also";

/**
 * Where the evidence is kept.
 */
export type Place = "call" | "line" | "account";

/**
 * One provider account as Callscope knows it.
 */
export type Profile = { 
/**
 * Unique, used on the command line: letters, digits, `-`, `_` and `.`.
 */
name: string, } & ({ "provider": "telnyx" } & TelnyxSettings | { "provider": "twilio" } & TwilioSettings | { "provider": "sip" } & SipSettings);

/**
 * Which line a call went through.
 */
export type Provider = "echo" | "sip" | "telnyx" | "twilio";

/**
 * One provider's account form: its settings in form order, and its secrets.
 */
export type ProviderFields = { provider: Provider, fields: Array<FieldSpec>, secrets: Array<SecretSpec>, };

export type RecordEvent = { 
/**
 * None for app-level events.
 */
call_id: string | null, source: Source, kind: EventKind, 
/**
 * A `signal` event's payload must be a [`SignalMessage`].
 */
payload: unknown, 
/**
 * When it happened on the UI's clock (see `CreateCall::ui_clock`).
 */
observed_at?: number, 
/**
 * Or: how long before this request it happened (app-level events, which have no call clock).
 */
observed_ms_ago?: number, };

export type RecordState = { call_id: string, source: Source, state: CallState, 
/**
 * The provider's own event, kept as it came.
 */
raw: unknown, 
/**
 * Required with `ended`: who ended the call and the codes it ended with.
 */
end?: EndInfo, 
/**
 * When it happened on the UI's clock (see `CreateCall::ui_clock`): the journal stamps it
 * then, whatever the request's own delay.
 */
observed_at?: number, 
/**
 * Or: how long before this request it happened.
 */
observed_ms_ago?: number, };

/**
 * Create or update an account. Secrets are write-only: they go to the keychain and are never
 * sent back.
 */
export type SaveAccount = { profile: Profile, secrets: Array<SecretInput>, mode: SaveMode, };

export type SaveMode = "create" | "update";

/**
 * A secret on its way from the user to the keychain. It deserialises straight into a type that
 * never prints, so a logged request shows `[REDACTED]`.
 */
export type SecretInput = { kind: SecretKind, value: string, };

/**
 * Every kind of secret an account can have.
 */
export type SecretKind = "telnyx_api_key" | "twilio_api_key_secret" | "twilio_auth_token" | "sip_password" | "turn_password";

/**
 * A secret an account of some provider needs (or may have).
 */
export type SecretSpec = { provider: Provider, kind: SecretKind, label: string, required: boolean, hint: string | null, };

/**
 * Whether a secret is in the keychain; never its value. `stored` is none when the keychain
 * could not be asked (it is locked or missing).
 */
export type SecretStatus = { kind: SecretKind, label: string, required: boolean, stored: boolean | null, hint: string | null, };

export type SignalDirection = "sent" | "received";

/**
 * The shape of every signalling message in the journal (`kind: signal`), whatever the protocol.
 */
export type SignalMessage = { 
/**
 * `sent` by this app or `received` by it.
 */
direction: SignalDirection, 
/**
 * `echo`, `sip`, `verto`, `pstream`.
 */
protocol: string, 
/**
 * The first line or method, for the ladder's arrow ("INVITE", "180 Ringing").
 */
summary: string, 
/**
 * The whole message: text (SIP, SDP) or JSON (Verto, PStream), with credentials redacted.
 */
body: unknown, 
/**
 * For app-level messages (a registration), the account they belong to.
 */
account?: string, };

export type SipCall = { wss_uri: string, sip_uri: string, auth_user: string, realm: string, 
/**
 * MD5(auth_user:realm:password): answers the PBX's digest challenges without the password.
 */
ha1: string, display_name: string | null, outbound_proxy: string | null, ice_servers: Array<IceServerConfig>, 
/**
 * Media through the TURN relay only (`iceTransportPolicy: 'relay'`).
 */
relay_only: boolean, dtmf: DtmfMode, };

export type SipSettings = { 
/**
 * The PBX's SIP-over-WebSocket address, `wss://` (or `ws://` on a trusted network).
 */
wss_uri: string, 
/**
 * Our address of record, `sip:user@domain`.
 */
sip_uri: string, 
/**
 * Authentication user when it differs from the SIP URI's user.
 */
auth_user?: string, 
/**
 * Digest realm; defaults to the SIP URI's domain. Needed to hand the UI an HA1 digest.
 */
realm?: string, display_name?: string, outbound_proxy?: string, 
/**
 * STUN/TURN servers for the calls. A TURN password goes to the keychain.
 */
ice_servers?: Array<IceServer>, 
/**
 * Send media through the TURN relay only (`iceTransportPolicy: 'relay'`): tests the relay
 * path as on a network where nothing else gets through.
 */
relay_only?: boolean, dtmf: DtmfMode, };

/**
 * Where an event came from.
 */
export type Source = "ui" | "sdk" | "signalling" | "backend";

/**
 * A part of a field that repeats (each ICE server's URLs and user).
 */
export type SubField = { label: string, hint: string | null, placeholder: string | null, };

export type TelnyxCall = { 
/**
 * For the SDK's `login_token`; valid 24 h from minting.
 */
login_token: string, 
/**
 * Unix seconds.
 */
expires_at: number, 
/**
 * The WebRTC signalling host (`rtc.telnyx.com` unless a region is set).
 */
signalling_host: string, caller_id: string | null, connection_id: string, credential_id: string, };

export type TelnyxSettings = { 
/**
 * The credential connection calls go through; found or created by Callscope when empty.
 */
credential_connection_id?: string, 
/**
 * The WebRTC signalling host (regions use other hosts). Default `rtc.telnyx.com`.
 */
signalling_host?: string, 
/**
 * The REST API base. Default `https://api.telnyx.com/v2`.
 */
api_base_url?: string, 
/**
 * Caller ID (E.164) for test calls.
 */
caller_id?: string, };

/**
 * How much of the Telnyx account's credential space is used (a real app once filled it).
 */
export type TelnyxUsage = { credential_connections: number, telephony_credentials: number, 
/**
 * Those Callscope created for this user on this device (one is right).
 */
this_device: number, };

export type TestAccount = { name: string, 
/**
 * Telnyx: create the "Callscope WebRTC" credential connection when there is none.
 */
create_connection: boolean, };

/**
 * Milliseconds from dialling to each milestone, derived from the call's journaled events.
 */
export type Timings = { 
/**
 * Dialling to the first answer from the network (trying).
 */
to_trying_ms?: number, 
/**
 * Post-dial delay: dialling to ringing or early media (INVITE → 18x).
 */
to_ring_ms?: number, 
/**
 * Dialling to answer (active).
 */
to_answer_ms?: number, 
/**
 * Dialling to the media path connecting.
 */
to_media_ms?: number, 
/**
 * Answer to end.
 */
talk_ms?: number, 
/**
 * Dialling (or the first event) to end.
 */
total_ms?: number, };

export type TwilioCall = { 
/**
 * The Voice SDK's Access Token.
 */
access_token: string, 
/**
 * Unix seconds.
 */
expires_at: number, identity: string, edge: string, insights: boolean, caller_id: string | null, 
/**
 * Whether the token can place calls (it has a TwiML app).
 */
can_call_out: boolean, };

export type TwilioSettings = { 
/**
 * `AC` + 32 hex digits.
 */
account_sid: string, 
/**
 * The API key (`SK` + 32 hex digits) that signs Access Tokens; its secret is in the keychain.
 */
api_key_sid: string, 
/**
 * The TwiML app (`AP` + 32 hex digits) outgoing calls run through.
 */
twiml_app_sid?: string, 
/**
 * The client identity in the token. Default `callscope`.
 */
identity?: string, 
/**
 * Signalling edge (`roaming`, `ashburn`, `dublin`, ...). Default `roaming`.
 */
edge?: string, 
/**
 * The API key's region for non-US1 keys (`ie1`, `au1`); goes into the token as `twr`.
 */
region?: string, 
/**
 * Whether the SDK publishes call quality to Twilio Insights.
 */
insights: boolean, caller_id?: string, 
/**
 * The REST API base. Default `https://api.twilio.com/2010-04-01`.
 */
api_base_url?: string, 
/**
 * Access Token lifetime in seconds: 3600 by default, at most 86400.
 */
token_ttl_secs?: number, };

/**
 * What the UI's engine can do, probed at start.
 */
export type WebrtcSupport = { rtc_peer_connection: boolean, get_user_media: boolean, secure_context: boolean, user_agent: string, };

/** Every API method with its parameters and result. */
export interface ApiMethods {
  /** Which face is running, the app's version, where its files are, and the Echo line's numbers. */
  app_info: { params: NoParams; result: AppInfo };
  /** The UI reports what its engine can do (RTCPeerConnection, getUserMedia); journaled as a probe. */
  report_webrtc: { params: WebrtcSupport; result: Done };
  /** A log line from the webview (console, uncaught errors), written under target `webview`. */
  log: { params: LogLine; result: Done };
  /** Open a call record before dialling; every later event refers to its id. */
  create_call: { params: CreateCall; result: CallSummary };
  /** A transition of the normalised call state, with the provider's raw event. */
  record_state: { params: RecordState; result: Array<JournalEvent> };
  /** Any other event: a signalling message, media state, stats sample, user action, warning, error. */
  record_event: { params: RecordEvent; result: JournalEvent };
  /** Send the UI's SDP offer to the Echo line's far end; its answer arrives as `echo` events. */
  echo_dial: { params: EchoDial; result: Done };
  /** Hang up an Echo call from our side (CANCEL before answer, BYE after). */
  echo_hangup: { params: CallRef; result: Done };
  /** Recent calls from the journal, newest first. */
  list_calls: { params: ListCalls; result: Array<CallSummary> };
  /** One call with every event and its diagnosis, by id or short number. */
  get_call: { params: CallRef; result: CallView };
  /** The provider accounts (settings only). */
  list_accounts: { params: NoParams; result: Array<Profile> };
  /** One account with which of its secrets the keychain holds. */
  get_account: { params: AccountRef; result: AccountView };
  /** Create or update an account; its secrets go to the OS keychain. */
  save_account: { params: SaveAccount; result: AccountView };
  /** Remove an account and its keychain entries. */
  remove_account: { params: AccountRef; result: Done };
  /** Check an account against its provider; for Telnyx it can create the credential connection. */
  test_account: { params: TestAccount; result: AccountTest };
  /** Short-lived credentials to place calls with an account (never its long-lived secrets). */
  call_credentials: { params: CredentialsFor; result: CallCredentials };
  /** Start browser mode in this process and open it in the default browser. */
  open_browser_mode: { params: NoParams; result: BrowserMode };
}
