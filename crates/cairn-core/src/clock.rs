//! Time: the vault records UTC milliseconds since the Unix epoch, read from the system
//! clock at the moment of each change. It cannot be typed in.

use time::format_description::well_known::Rfc3339;
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
/// (Hand-rolled: listing 100,000 items formats 200,000 times.)
pub fn format_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if !(0..=9999).contains(&year) {
        return format!("{ms} ms");
    }
    let mut out = *b"0000-00-00T00:00:00.000Z";
    for (at, width, value) in [
        (0, 4, year),
        (5, 2, month),
        (8, 2, day),
        (11, 2, rem / 3_600_000),
        (14, 2, rem / 60_000 % 60),
        (17, 2, rem / 1000 % 60),
        (20, 3, rem % 1000),
    ] {
        let mut v = value;
        for i in (at..at + width).rev() {
            out[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    }
    out.iter().map(|&b| b as char).collect()
}

/// A moment in UTC milliseconds. It serialises (and displays) as RFC 3339 text, so
/// listing many items does not format times nobody looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millis(pub i64);

impl std::fmt::Display for Millis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format_ms(self.0))
    }
}

impl serde::Serialize for Millis {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_ms(self.0))
    }
}

/// Parses an RFC 3339 time, keeping the offset it was written with.
pub fn parse_rfc3339(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// Formats a time as RFC 3339 (keeping its offset).
pub fn format_rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_ms_matches_the_time_crate() {
        let fmt = time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        );
        for ms in [
            0i64,
            1,
            951_782_400_000,
            1_795_588_506_534,
            4_102_444_799_999,
            86_399_999,
            1_709_164_800_123,
        ] {
            let want = OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
                .unwrap()
                .format(&fmt)
                .unwrap();
            assert_eq!(format_ms(ms), want, "{ms}");
        }
    }
}
