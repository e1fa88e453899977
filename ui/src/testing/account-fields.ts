// Generated from crates/accounts/src/fields.rs by `scripts/gen-ts`. Do not edit: change the Rust specs.
// The account forms' specs for the UI's tests and fakes; the app reads them from `app_info`.
import type { AccountFields } from '../api/generated';

export const ACCOUNT_FIELDS: AccountFields = {
  "name": {
    "field": "name",
    "label": "Name",
    "hint": "Letters, digits, '-', '_' and '.'; used on the command line.",
    "placeholder": null,
    "required": true,
    "input": {
      "kind": "text",
      "phone": false,
      "suggestions": []
    },
    "rule": {
      "pattern": "^[A-Za-z0-9._-]{1,40}$",
      "min": null,
      "max": null,
      "message": "must be 1–40 letters, digits, '-', '_' or '.' (no spaces)"
    },
    "advanced": false
  },
  "providers": [
    {
      "provider": "telnyx",
      "fields": [
        {
          "field": "credential_connection_id",
          "label": "Credential connection ID",
          "hint": "Leave empty: Callscope finds or creates one on first use.",
          "placeholder": null,
          "required": false,
          "input": {
            "kind": "text",
            "phone": false,
            "suggestions": []
          },
          "rule": {
            "pattern": "^[A-Za-z0-9-]+$",
            "min": null,
            "max": null,
            "message": "is not a connection id"
          },
          "advanced": false
        },
        {
          "field": "caller_id",
          "label": "Caller ID",
          "hint": "E.164, for test calls.",
          "placeholder": "+14155550100",
          "required": false,
          "input": {
            "kind": "text",
            "phone": true,
            "suggestions": []
          },
          "rule": {
            "pattern": "^\\+[0-9]{8,15}$",
            "min": null,
            "max": null,
            "message": "must be an E.164 number such as +14155550100"
          },
          "advanced": false
        },
        {
          "field": "signalling_host",
          "label": "Signalling host",
          "hint": "Regions use other hosts.",
          "placeholder": "rtc.telnyx.com",
          "required": false,
          "input": {
            "kind": "text",
            "phone": false,
            "suggestions": []
          },
          "rule": {
            "pattern": "^[A-Za-z0-9.:-]+$",
            "min": null,
            "max": null,
            "message": "must be a host name such as rtc.telnyx.com"
          },
          "advanced": true
        },
        {
          "field": "api_base_url",
          "label": "REST API base",
          "hint": null,
          "placeholder": "https://api.telnyx.com/v2",
          "required": false,
          "input": {
            "kind": "text",
            "phone": false,
            "suggestions": []
          },
          "rule": {
            "pattern": "^https?://",
            "min": null,
            "max": null,
            "message": "must start with https://"
          },
          "advanced": true
        }
      ],
      "secrets": [
        {
          "provider": "telnyx",
          "kind": "telnyx_api_key",
          "label": "Telnyx API key",
          "required": true,
          "hint": "Portal → Account settings → Keys & Credentials → API Keys."
        }
      ]
    },
    {
      "provider": "twilio",
      "fields": [
        {
          "field": "account_sid",
          "label": "Account SID",
          "hint": null,
          "placeholder": "AC…",
          "required": true,
          "input": {
            "kind": "text",
            "phone": false,
            "suggestions": []
          },
          "rule": {
            "pattern": "^AC[0-9a-fA-F]{32}$",
            "min": null,
            "max": null,
            "message": "must be AC followed by 32 hexadecimal digits"
          },
          "advanced": false
        },
        {
          "field": "api_key_sid",
          "label": "API key SID",
          "hint": "The API key that signs Access Tokens; its secret goes below.",
          "placeholder": "SK…",
          "required": true,
          "input": {
            "kind": "text",
            "phone": false,
            "suggestions": []
          },
          "rule": {
            "pattern": "^SK[0-9a-fA-F]{32}$",
            "min": null,
            "max": null,
            "message": "must be SK followed by 32 hexadecimal digits"
          },
          "advanced": false
        },
        {
          "field": "twiml_app_sid",
          "label": "TwiML app SID",
          "hint": "Outgoing calls run through this TwiML app.",
          "placeholder": "AP…",
          "required": false,
          "input": {
            "kind": "text",
            "phone": false,
            "suggestions": []
          },
          "rule": {
            "pattern": "^AP[0-9a-fA-F]{32}$",
            "min": null,
            "max": null,
            "message": "must be AP followed by 32 hexadecimal digits"
          },
          "advanced": false
        },
        {
          "field": "caller_id",
          "label": "Caller ID",
          "hint": "E.164, for test calls.",
          "placeholder": "+14155550100",
          "required": false,
          "input": {
            "kind": "text",
            "phone": true,
            "suggestions": []
          },
          "rule": {
            "pattern": "^\\+[0-9]{8,15}$",
            "min": null,
            "max": null,
            "message": "must be an E.164 number such as +14155550100"
          },
          "advanced": false
        },
        {
          "field": "identity",
          "label": "Client identity",
          "hint": null,
          "placeholder": "callscope",
          "required": false,
          "input": {
            "kind": "text",
            "phone": false,
            "suggestions": []
          },
          "rule": {
            "pattern": "^[^\\s]{1,121}$",
            "min": null,
            "max": null,
            "message": "must be 1–121 characters with no spaces"
          },
          "advanced": false
        },
        {
          "field": "edge",
          "label": "Edge",
          "hint": "Default roaming.",
          "placeholder": "roaming",
          "required": false,
          "input": {
            "kind": "text",
            "phone": false,
            "suggestions": [
              "roaming",
              "ashburn",
              "dublin",
              "frankfurt",
              "sao-paulo",
              "singapore",
              "sydney",
              "tokyo",
              "umatilla"
            ]
          },
          "rule": {
            "pattern": "^[a-z-]+$",
            "min": null,
            "max": null,
            "message": "is not an edge name"
          },
          "advanced": false
        },
        {
          "field": "region",
          "label": "Region",
          "hint": "Only for API keys outside US1.",
          "placeholder": "e.g. ie1",
          "required": false,
          "input": {
            "kind": "text",
            "phone": false,
            "suggestions": []
          },
          "rule": {
            "pattern": "^[A-Za-z0-9]{3}$",
            "min": null,
            "max": null,
            "message": "is not a region such as ie1"
          },
          "advanced": false
        },
        {
          "field": "insights",
          "label": "Publish call quality to Twilio Insights",
          "hint": null,
          "placeholder": null,
          "required": false,
          "input": {
            "kind": "checkbox"
          },
          "rule": null,
          "advanced": false
        },
        {
          "field": "token_ttl_secs",
          "label": "Access Token lifetime (seconds)",
          "hint": "60–86400.",
          "placeholder": "3600",
          "required": false,
          "input": {
            "kind": "number"
          },
          "rule": {
            "pattern": null,
            "min": 60,
            "max": 86400,
            "message": "must be between 60 and 86400 seconds (Twilio’s maximum is 24 h)"
          },
          "advanced": true
        },
        {
          "field": "api_base_url",
          "label": "REST API base",
          "hint": null,
          "placeholder": "https://api.twilio.com/2010-04-01",
          "required": false,
          "input": {
            "kind": "text",
            "phone": false,
            "suggestions": []
          },
          "rule": {
            "pattern": "^https?://",
            "min": null,
            "max": null,
            "message": "must start with https://"
          },
          "advanced": true
        }
      ],
      "secrets": [
        {
          "provider": "twilio",
          "kind": "twilio_api_key_secret",
          "label": "Twilio API key secret",
          "required": true,
          "hint": "Shown once when the API key is created."
        },
        {
          "provider": "twilio",
          "kind": "twilio_auth_token",
          "label": "Twilio Auth Token",
          "required": false,
          "hint": "Only some account checks need it."
        }
      ]
    },
    {
      "provider": "sip",
      "fields": [
        {
          "field": "wss_uri",
          "label": "WebSocket URI",
          "hint": "wss:// (ws:// only on a trusted network).",
          "placeholder": "wss://pbx.example.com:8089/ws",
          "required": true,
          "input": {
            "kind": "text",
            "phone": false,
            "suggestions": []
          },
          "rule": {
            "pattern": "^wss?://.+",
            "min": null,
            "max": null,
            "message": "must be a wss:// (or ws://) address"
          },
          "advanced": false
        },
        {
          "field": "sip_uri",
          "label": "SIP URI",
          "hint": null,
          "placeholder": "sip:alice@pbx.example.com",
          "required": true,
          "input": {
            "kind": "text",
            "phone": false,
            "suggestions": []
          },
          "rule": {
            "pattern": "^sips?:[^\\s]+$",
            "min": null,
            "max": null,
            "message": "must be a SIP URI such as sip:alice@pbx.example.com"
          },
          "advanced": false
        },
        {
          "field": "auth_user",
          "label": "Authentication user",
          "hint": "Only when it differs from the SIP URI's user.",
          "placeholder": null,
          "required": false,
          "input": {
            "kind": "text",
            "phone": false,
            "suggestions": []
          },
          "rule": {
            "pattern": "^[^\\s]+$",
            "min": null,
            "max": null,
            "message": "must not be empty or contain spaces"
          },
          "advanced": false
        },
        {
          "field": "realm",
          "label": "Realm",
          "hint": "Defaults to the SIP URI's domain.",
          "placeholder": null,
          "required": false,
          "input": {
            "kind": "text",
            "phone": false,
            "suggestions": []
          },
          "rule": null,
          "advanced": false
        },
        {
          "field": "display_name",
          "label": "Display name",
          "hint": null,
          "placeholder": null,
          "required": false,
          "input": {
            "kind": "text",
            "phone": false,
            "suggestions": []
          },
          "rule": null,
          "advanced": false
        },
        {
          "field": "outbound_proxy",
          "label": "Outbound proxy",
          "hint": null,
          "placeholder": "sip:proxy.example.com",
          "required": false,
          "input": {
            "kind": "text",
            "phone": false,
            "suggestions": []
          },
          "rule": {
            "pattern": "^sips?:[^\\s]+$",
            "min": null,
            "max": null,
            "message": "must be a SIP URI such as sip:alice@pbx.example.com"
          },
          "advanced": false
        },
        {
          "field": "dtmf",
          "label": "DTMF",
          "hint": null,
          "placeholder": null,
          "required": false,
          "input": {
            "kind": "choice",
            "options": [
              {
                "value": "rfc2833",
                "label": "RFC 2833 telephone-events in the media"
              },
              {
                "value": "info",
                "label": "SIP INFO"
              }
            ]
          },
          "rule": null,
          "advanced": false
        },
        {
          "field": "ice_servers",
          "label": "ICE servers",
          "hint": "None: the browser's defaults apply.",
          "placeholder": null,
          "required": false,
          "input": {
            "kind": "ice_servers",
            "row": "Server",
            "urls": {
              "label": "URLs",
              "hint": "stun:, stuns:, turn: or turns:, separated by spaces.",
              "placeholder": "turn:turn.example.com:3478?transport=tcp"
            },
            "username": {
              "label": "TURN username",
              "hint": "Its password is the TURN password below.",
              "placeholder": null
            }
          },
          "rule": {
            "pattern": "^(stuns?|turns?):",
            "min": null,
            "max": null,
            "message": "must start with stun:, stuns:, turn: or turns:"
          },
          "advanced": false
        },
        {
          "field": "relay_only",
          "label": "Send media through the TURN relay only (tests the relay path)",
          "hint": null,
          "placeholder": null,
          "required": false,
          "input": {
            "kind": "checkbox"
          },
          "rule": null,
          "advanced": false
        }
      ],
      "secrets": [
        {
          "provider": "sip",
          "kind": "sip_password",
          "label": "SIP password",
          "required": true,
          "hint": null
        },
        {
          "provider": "sip",
          "kind": "turn_password",
          "label": "TURN password",
          "required": false,
          "hint": "For the TURN usernames in the ICE servers."
        }
      ]
    }
  ]
};
