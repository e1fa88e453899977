//! A cause or a fix as a catalog writes it: plain text for everyone, or text that holds only for
//! one provider's accounts or in one situation. A SIP 401 has a Telnyx portal step and a Twilio
//! one; a plain SIP PBX needs neither, and "the normal first step of authentication" is not why a
//! call that ended on its 401 failed.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The kind of account a text is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderTag {
    Telnyx,
    Twilio,
    /// Any SIP-over-WebSocket PBX or carrier (not Telnyx's or Twilio's SDKs).
    Sip,
}

/// When a cause is the likely one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Situation {
    /// The code came as a step that the client normally answers (a 401/407 challenge followed by
    /// a retry with credentials).
    Challenge,
    /// The code is what the call ended with.
    Final,
}

/// One cause or fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Text {
    Plain(String),
    Tagged(TaggedText),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaggedText {
    pub text: String,
    /// Only for accounts of this provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<ProviderTag>,
    /// Only in this situation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Situation>,
}

impl Text {
    pub fn text(&self) -> &str {
        match self {
            Text::Plain(text) => text,
            Text::Tagged(tagged) => &tagged.text,
        }
    }

    pub fn provider(&self) -> Option<ProviderTag> {
        match self {
            Text::Plain(_) => None,
            Text::Tagged(tagged) => tagged.provider,
        }
    }

    pub fn when(&self) -> Option<Situation> {
        match self {
            Text::Plain(_) => None,
            Text::Tagged(tagged) => tagged.when,
        }
    }

    /// Whether it holds for an account of `provider` (`None`: the provider is not known, so
    /// every text holds).
    pub fn fits(&self, provider: Option<ProviderTag>) -> bool {
        match (self.provider(), provider) {
            (Some(for_provider), Some(provider)) => for_provider == provider,
            _ => true,
        }
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

impl crate::Entry {
    /// The fixes that hold for an account of `provider`: the provider's own steps first (they
    /// name the exact portal page), then the ones for everyone. Steps for other providers are
    /// left out. With no provider, every fix, in catalog order.
    pub fn fixes_for(&self, provider: Option<ProviderTag>) -> Vec<&str> {
        let own = self.fix.iter().filter(|f| provider.is_some() && f.provider().is_some() && f.fits(provider));
        let everyone = self.fix.iter().filter(|f| f.provider().is_none());
        own.chain(everyone).map(Text::text).collect()
    }

    /// The cause most likely in `situation` for an account of `provider`: the first cause that
    /// fits both (a cause tagged for another situation or provider is skipped).
    pub fn usual_cause(&self, situation: Situation, provider: Option<ProviderTag>) -> Option<&str> {
        self.causes
            .iter()
            .find(|c| c.when().is_none_or(|when| when == situation) && c.fits(provider))
            .map(Text::text)
    }

    /// The causes that hold in `situation` for an account of `provider`, in catalog order.
    pub fn causes_for(&self, situation: Situation, provider: Option<ProviderTag>) -> Vec<&str> {
        self.causes
            .iter()
            .filter(|c| c.when().is_none_or(|when| when == situation) && c.fits(provider))
            .map(Text::text)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_tagged_texts_read_from_toml() {
        #[derive(Deserialize)]
        struct Doc {
            items: Vec<Text>,
        }
        let doc: Doc = toml::from_str(
            r#"items = ["for everyone", { text = "Telnyx portal", provider = "telnyx" }, { text = "a retry", when = "challenge" }]"#,
        )
        .unwrap();
        assert_eq!(doc.items[0], Text::Plain("for everyone".into()));
        assert_eq!(doc.items[1].provider(), Some(ProviderTag::Telnyx));
        assert_eq!(doc.items[2].when(), Some(Situation::Challenge));
        assert!(doc.items[1].fits(None) && !doc.items[1].fits(Some(ProviderTag::Sip)));
        assert!(toml::from_str::<Doc>(r#"items = [{ text = "x", colour = "red" }]"#).is_err());
    }
}
