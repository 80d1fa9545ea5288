//! Time: the vault records UTC milliseconds since the Unix epoch, read from the system
//! clock at the moment of each change. It cannot be typed in.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::OffsetDateTime;

/// A source of "now" in milliseconds. The system clock in normal use; tests can
/// substitute one to exercise a clock that goes backwards.
pub type Clock = Box<dyn Fn() -> i64 + Send>;

/// The system clock.
pub fn system_clock() -> Clock {
    Box::new(|| {
        let now = OffsetDateTime::now_utc();
        (now.unix_timestamp_nanos() / 1_000_000) as i64
    })
}

/// Formats milliseconds as RFC 3339 UTC with milliseconds, e.g. `2026-11-25T06:40:12.345Z`.
pub fn format_ms(ms: i64) -> String {
    let fmt =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| format!("{ms} ms"))
}

/// Parses an RFC 3339 time, keeping the offset it was written with.
pub fn parse_rfc3339(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// Formats a time as RFC 3339 (keeping its offset).
pub fn format_rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}
