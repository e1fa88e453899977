import { describe, expect, it } from 'vitest';
import type { Profile } from '../api/generated';
import type { FieldSpec } from '../api/generated';
import {
  accountSummary,
  checkField,
  draftFromProfile,
  draftProblem,
  fieldOfError,
  iceServers,
  keychainLine,
  newDraft,
  profileFromDraft,
  secretInputs,
  secretSlots,
} from './draft';
import { ACCOUNT_FIELDS } from '../testing/fake-accounts';

const AC = `AC${'a'.repeat(32)}`;
const SK = `SK${'b'.repeat(32)}`;
const AP = `AP${'c'.repeat(32)}`;

describe('profileFromDraft', () => {
  it('trims, leaves out empty optional fields and keeps required ones even when empty', () => {
    const draft = newDraft('twilio');
    if (draft.provider !== 'twilio') throw new Error('twilio draft expected');
    draft.name = ' acme ';
    draft.settings.account_sid = ` ${AC} `;
    draft.settings.region = 'ie1';
    draft.settings.token_ttl_secs = '600';
    expect(profileFromDraft(draft)).toEqual({
      name: 'acme',
      provider: 'twilio',
      account_sid: AC,
      api_key_sid: '',
      region: 'ie1',
      insights: false,
      token_ttl_secs: 600,
    });
    // No undefined keys are left to stand for "not set".
    expect(Object.values(profileFromDraft(draft))).not.toContain(undefined);
  });

  it('sends a Telnyx account with nothing but its name', () => {
    const draft = newDraft('telnyx');
    draft.name = 'support';
    expect(profileFromDraft(draft)).toEqual({ name: 'support', provider: 'telnyx' });
  });

  it('round-trips every provider through the form', () => {
    const profiles: Profile[] = [
      { name: 't', provider: 'telnyx', credential_connection_id: '123', caller_id: '+14155550100', signalling_host: 'rtc.telnyx.com', api_base_url: 'https://api.telnyx.com/v2' },
      {
        name: 'tw',
        provider: 'twilio',
        account_sid: AC,
        api_key_sid: SK,
        twiml_app_sid: AP,
        identity: 'me',
        edge: 'dublin',
        region: 'ie1',
        insights: true,
        caller_id: '+353100000000',
        token_ttl_secs: 3600,
        api_base_url: 'https://api.twilio.com/2010-04-01',
      },
      {
        name: 's',
        provider: 'sip',
        wss_uri: 'wss://pbx.example.com:8089/ws',
        sip_uri: 'sip:alice@pbx.example.com',
        auth_user: 'a1',
        realm: 'pbx',
        display_name: 'Alice',
        outbound_proxy: 'sip:proxy.example.com',
        ice_servers: [{ urls: ['stun:stun.example.com'] }, { urls: ['turn:t.example.com:3478', 'turns:t.example.com:5349'], username: 'u' }],
        relay_only: true,
        dtmf: 'info',
      },
    ];
    for (const profile of profiles) expect(profileFromDraft(draftFromProfile(profile))).toEqual(profile);
  });
});

describe('iceServers', () => {
  it('splits URLs on spaces, commas and new lines; sends a row without URLs so the backend names it', () => {
    expect(
      iceServers([
        { urls: 'stun:a.example.com, stun:b.example.com\nturn:c.example.com', username: ' u ' },
        { urls: '  ', username: '' },
      ]),
    ).toEqual([{ urls: ['stun:a.example.com', 'stun:b.example.com', 'turn:c.example.com'], username: 'u' }, { urls: [] }]);
  });
});

describe('secrets', () => {
  it('sends only what was typed, exactly as typed', () => {
    const slots = secretSlots('sip', null, ACCOUNT_FIELDS.providers.flatMap((p) => p.secrets));
    expect(slots.map((s) => [s.kind, s.required, s.stored])).toEqual([
      ['sip_password', true, null],
      ['turn_password', false, null],
    ]);
    expect(secretInputs(slots, {})).toEqual([]);
    expect(secretInputs(slots, { sip_password: ' pw ', turn_password: '   ' })).toEqual([{ kind: 'sip_password', value: ' pw ' }]);
  });

  it('says what the keychain holds after a save', () => {
    expect(
      keychainLine([
        { kind: 'twilio_api_key_secret', label: 'Twilio API key secret', required: true, stored: true, hint: null },
        { kind: 'twilio_auth_token', label: 'Twilio Auth Token', required: false, stored: false, hint: null },
        { kind: 'twilio_auth_token', label: 'Twilio Auth Token', required: false, stored: null, hint: null },
      ]),
    ).toBe(
      'Twilio API key secret stored in the keychain · Twilio Auth Token not set · Twilio Auth Token status unknown (keychain unavailable)',
    );
  });
});

describe('fieldOfError', () => {
  it('finds the field a bad_input message starts with', () => {
    const bad = (field: string | null, message: string) => ({ code: 'bad_input', message, field });
    expect(fieldOfError(bad('account_sid', 'account_sid: must be AC followed by 32 hexadecimal digits'))).toEqual({
      field: 'account_sid',
      problem: 'must be AC followed by 32 hexadecimal digits',
    });
    expect(fieldOfError(bad('ice_servers[1].urls', 'ice_servers[1].urls: needs at least one stun: or turn: URL'))?.field).toBe(
      'ice_servers[1].urls',
    );
    // A value that did not even parse is named by its path in the request.
    expect(fieldOfError(bad('profile.token_ttl_secs', 'profile.token_ttl_secs: invalid value: integer `5000000000`, expected u32'))).toEqual({
      field: 'token_ttl_secs',
      problem: 'invalid value: integer `5000000000`, expected u32',
    });
  });

  it('leaves other errors whole', () => {
    expect(fieldOfError({ code: 'keychain', message: 'name: x', field: null })).toBeNull();
    expect(fieldOfError({ code: 'bad_input', message: 'the request is not JSON', field: 'request' })).toEqual({
      field: 'request',
      problem: 'the request is not JSON',
    });
  });
});

describe('draftProblem', () => {
  it('stops a token lifetime that is not a number (it could not be sent as one)', () => {
    const draft = newDraft('twilio');
    if (draft.provider !== 'twilio') throw new Error('twilio draft expected');
    draft.settings.token_ttl_secs = '1h';
    expect(draftProblem(draft)).toEqual({ field: 'token_ttl_secs', problem: 'must be a whole number of seconds' });
    draft.settings.token_ttl_secs = '90000';
    expect(draftProblem(draft)).toBeNull(); // out of range: the backend says so
  });
});

describe('checks', () => {
  // The backend's own rules, as `app_info.account_fields` gives them.
  const spec = (field: string): FieldSpec =>
    [ACCOUNT_FIELDS.name, ...ACCOUNT_FIELDS.providers.flatMap((p) => p.fields)].find((s) => s.field === field)!;
  const check = (field: string, value: string) => checkField(spec(field), value);

  it('mirror the backend cheaply and say nothing about empty fields', () => {
    expect(check('account_sid', AC)).toBeNull();
    expect(check('account_sid', SK)).toBe('must be AC followed by 32 hexadecimal digits');
    expect(check('account_sid', '')).toBeNull();
    expect(check('name', 'has space')).toMatch(/no spaces/);
    expect(check('caller_id', '+14155550100')).toBeNull();
    expect(check('caller_id', '555-1234')).toMatch(/E\.164/);
    expect(check('wss_uri', 'https://pbx')).toMatch(/wss:\/\//);
    expect(check('sip_uri', 'sips:alice@pbx')).toBeNull();
    expect(check('token_ttl_secs', '59')).toMatch(/60 and 86400/);
    expect(check('ice_servers', 'stun:a turn:b')).toBeNull();
    expect(check('ice_servers', 'stun:a http://b')).toBe('http://b: must start with stun:, stuns:, turn: or turns:');
  });

  it('read a number field as a whole number in range', () => {
    expect(check('token_ttl_secs', '3600')).toBeNull();
    expect(check('token_ttl_secs', '86401')).toMatch(/60 and 86400/);
    expect(check('token_ttl_secs', '1h')).toMatch(/60 and 86400/);
  });
});

describe('accountSummary', () => {
  it('names what identifies the account at its provider', () => {
    expect(accountSummary({ name: 't', provider: 'telnyx' })).toBe('connection found or created on first use');
    expect(accountSummary({ name: 't', provider: 'telnyx', credential_connection_id: '42' })).toBe('connection 42');
    expect(accountSummary({ name: 'tw', provider: 'twilio', account_sid: AC, api_key_sid: SK, twiml_app_sid: AP, insights: false })).toBe(
      `account ${AC} · app ${AP}`,
    );
    expect(accountSummary({ name: 's', provider: 'sip', wss_uri: 'wss://pbx/ws', sip_uri: 'sip:a@pbx', dtmf: 'rfc2833' })).toBe(
      'sip:a@pbx via wss://pbx/ws',
    );
  });
});
