//! The two paging envelopes: Telnyx's numbered pages with `meta.total_pages`, and Twilio's
//! `next_page_uri` (v2010, relative) or `meta.next_page_url` (v1, absolute).

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};
use url::Url;

/// `{"data": [...], "meta": {"page_number", "total_pages", …}}`
#[derive(Deserialize)]
pub(crate) struct TelnyxPage<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub meta: Option<TelnyxMeta>,
}

#[derive(Deserialize)]
pub(crate) struct TelnyxMeta {
    #[serde(default)]
    pub total_pages: Option<u32>,
}

impl<T> TelnyxPage<T> {
    /// Whether another page follows page `page_number` (counted from 1).
    pub fn has_more_after(&self, page_number: u32) -> bool {
        let total = self.meta.as_ref().and_then(|m| m.total_pages).unwrap_or(0);
        !self.data.is_empty() && page_number < total
    }
}

/// One Twilio page: the items under `key` and where the next page is, if any.
#[derive(Debug)]
pub(crate) struct TwilioPage<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// Splits a Twilio list body into its items and its link to the next page.
pub(crate) fn twilio_page<T: DeserializeOwned>(
    mut body: Map<String, Value>,
    key: &str,
) -> Result<TwilioPage<T>, String> {
    let list = body.remove(key).ok_or_else(|| format!("no `{key}` list in the page"))?;
    let items = serde_json::from_value(list).map_err(|e| format!("`{key}`: {e}"))?;
    let next = body
        .get("next_page_uri")
        .or_else(|| body.get("meta").and_then(|meta| meta.get("next_page_url")))
        .and_then(Value::as_str)
        .filter(|next| !next.is_empty())
        .map(str::to_string);
    Ok(TwilioPage { items, next })
}

/// Where to fetch a Twilio `next` link. v2010 links are paths under the API's root (which may
/// sit below a prefix, as in the lab); v1 links are absolute and must stay on the same origin,
/// so the credentials are never sent to another host.
pub(crate) fn resolve_next(next: &str, base: &Url, version_segment: &str) -> Result<Url, String> {
    if next.starts_with("http://") || next.starts_with("https://") {
        let url = Url::parse(next).map_err(|e| format!("next page link {next:?} is not a URL: {e}"))?;
        if url.origin() != base.origin() {
            return Err(format!(
                "next page link points to {}, not to {}; Callscope sends credentials only to the configured host",
                url.origin().ascii_serialization(),
                base.origin().ascii_serialization()
            ));
        }
        return Ok(url);
    }
    if !next.starts_with('/') {
        return Err(format!("next page link {next:?} is neither absolute nor a path"));
    }
    let path = base.path().trim_end_matches('/');
    let prefix = path.strip_suffix(version_segment).unwrap_or("").trim_end_matches('/');
    let mut root = base.clone();
    root.set_path("");
    root.set_query(None);
    Url::parse(&format!("{}{prefix}{next}", root.as_str().trim_end_matches('/')))
        .map_err(|e| format!("next page link {next:?} does not make a URL: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn v2010_and_v1_next_links_are_found() {
        let body = json!({"calls": [{"sid": "CA1"}], "next_page_uri": "/2010-04-01/Accounts/AC1/Calls.json?Page=1"});
        let page: TwilioPage<Value> = twilio_page(body.as_object().unwrap().clone(), "calls").unwrap();
        assert_eq!((page.items.len(), page.next.as_deref()), (1, Some("/2010-04-01/Accounts/AC1/Calls.json?Page=1")));
        let body = json!({"content": [], "meta": {"next_page_url": null, "key": "content"}});
        let page: TwilioPage<Value> = twilio_page(body.as_object().unwrap().clone(), "content").unwrap();
        assert!(page.next.is_none());
        assert!(twilio_page::<Value>(Map::new(), "calls").unwrap_err().contains("`calls`"));
    }

    #[test]
    fn relative_links_keep_the_base_prefix_and_absolute_links_stay_on_origin() {
        let production = Url::parse("https://api.twilio.com/2010-04-01").unwrap();
        assert_eq!(
            resolve_next("/2010-04-01/Accounts/AC1/Calls.json?Page=1", &production, "/2010-04-01").unwrap().as_str(),
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json?Page=1"
        );
        let proxied = Url::parse("http://127.0.0.1:9/twilio/2010-04-01/").unwrap();
        assert_eq!(
            resolve_next("/2010-04-01/Accounts/AC1/Calls.json", &proxied, "/2010-04-01").unwrap().as_str(),
            "http://127.0.0.1:9/twilio/2010-04-01/Accounts/AC1/Calls.json"
        );
        let voice = Url::parse("https://voice.twilio.com/v1").unwrap();
        assert!(resolve_next("https://voice.twilio.com/v1/DialingPermissions/Countries?Page=1", &voice, "/v1").is_ok());
        let elsewhere = resolve_next("https://attacker.example/v1/x", &voice, "/v1").unwrap_err();
        assert!(elsewhere.contains("https://attacker.example"), "{elsewhere}");
        assert!(resolve_next("Calls.json", &production, "/2010-04-01").is_err());
    }

    #[test]
    fn telnyx_pages_continue_until_total_pages() {
        let page: TelnyxPage<Value> =
            serde_json::from_value(json!({"data": [1], "meta": {"page_number": 1, "total_pages": 2}})).unwrap();
        assert!(page.has_more_after(1));
        assert!(!page.has_more_after(2));
        let no_meta: TelnyxPage<Value> = serde_json::from_value(json!({"data": [1]})).unwrap();
        assert!(!no_meta.has_more_after(1));
    }
}
