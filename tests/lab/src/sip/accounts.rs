//! Who exists in the lab: the SIP subscribers (the app's users and the baresip far ends), and the
//! TURN users. Fixed, documented values: the lab is a test fixture on loopback, not a secret store.

use serde::Serialize;

/// The SIP domain and digest realm. Never resolved: Kamailio claims it as its own alias, and the app
/// reaches Kamailio through the WebSocket URI it is given.
pub const DOMAIN: &str = "lab.test";

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Subscriber {
    pub user: &'static str,
    pub password: &'static str,
    pub purpose: &'static str,
}

pub const ALICE: Subscriber =
    Subscriber { user: "alice", password: "alice-lab-pass", purpose: "for Callscope: register as alice" };
pub const BOB: Subscriber =
    Subscriber { user: "bob", password: "bob-lab-pass", purpose: "a second app user (calls between two browsers)" };
/// A subscriber that never registers: calling it is "an unregistered user".
pub const OFFLINE: Subscriber =
    Subscriber { user: "offline", password: "offline-lab-pass", purpose: "a subscriber that never registers" };

/// The baresip far ends, one baresip process each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FarEnd {
    /// Answers at once and plays a 440 Hz tone.
    Tone,
    /// Answers at once and sends back what it hears.
    Echo,
    /// Rings and never answers.
    Ringer,
}

impl FarEnd {
    pub const ALL: [FarEnd; 3] = [FarEnd::Tone, FarEnd::Echo, FarEnd::Ringer];

    pub fn subscriber(self) -> Subscriber {
        match self {
            FarEnd::Tone => Subscriber {
                user: "tone",
                password: "tone-lab-pass",
                purpose: "baresip: answers and plays a 440 Hz tone",
            },
            FarEnd::Echo => Subscriber {
                user: "echo",
                password: "echo-lab-pass",
                purpose: "baresip: answers and echoes what it hears",
            },
            FarEnd::Ringer => {
                Subscriber { user: "ringer", password: "ringer-lab-pass", purpose: "baresip: rings, never answers" }
            }
        }
    }

    pub fn user(self) -> &'static str {
        self.subscriber().user
    }

    pub fn index(self) -> u16 {
        match self {
            FarEnd::Tone => 0,
            FarEnd::Echo => 1,
            FarEnd::Ringer => 2,
        }
    }
}

/// Every SIP subscriber Kamailio knows, with the password it checks.
pub fn subscribers() -> Vec<Subscriber> {
    let mut all = vec![ALICE, BOB, OFFLINE];
    all.extend(FarEnd::ALL.map(FarEnd::subscriber));
    all
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct TurnUser {
    pub username: &'static str,
    pub credential: &'static str,
}

/// coturn's static long-term users, realm [`DOMAIN`].
pub const TURN_USER: TurnUser = TurnUser { username: "test", credential: "secret" };
/// A second valid user: its credentials on the first user's allocation give 441 Wrong Credentials.
pub const TURN_OTHER_USER: TurnUser = TurnUser { username: "other", credential: "secret2" };
/// A valid user name with a wrong password: Allocate gets 401 Unauthorized.
pub const TURN_WRONG_PASSWORD: TurnUser = TurnUser { username: "test", credential: "WRONG" };
