//! Time in the formats each provider writes: Telnyx ISO-8601, Twilio RFC 2822, JWT seconds.

use time::format_description::well_known::{Rfc2822, Rfc3339};
use time::OffsetDateTime;

pub fn unix_now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// `2020-06-18T21:32:38.917Z`, as Telnyx writes `created_at`.
pub fn iso8601(at: OffsetDateTime) -> String {
    let millis = at.replace_nanosecond(at.millisecond() as u32 * 1_000_000).unwrap_or(at);
    millis.format(&Rfc3339).unwrap_or_default()
}

pub fn iso8601_now() -> String {
    iso8601(OffsetDateTime::now_utc())
}

/// Parses the ISO-8601 timestamps clients send (`expires_at`).
pub fn parse_iso8601(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// `Thu, 30 Jul 2015 20:00:00 +0000`, as Twilio writes `date_created`.
pub fn rfc2822_now() -> String {
    OffsetDateTime::now_utc().replace_nanosecond(0).unwrap().format(&Rfc2822).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_match_the_providers() {
        let at = time::macros::datetime!(2015-07-30 20:00:00.123456 UTC);
        assert_eq!(iso8601(at), "2015-07-30T20:00:00.123Z");
        assert_eq!(at.replace_nanosecond(0).unwrap().format(&Rfc2822).unwrap(), "Thu, 30 Jul 2015 20:00:00 +0000");
        assert_eq!(parse_iso8601("2042-06-18T21:32:38Z").unwrap().year(), 2042);
    }
}
