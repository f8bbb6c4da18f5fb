//! Reading `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.

use crate::time::unix_from_civil;

/// The longest wait a `Retry-After` is believed for (one day); longer values are capped here and
/// then by the caller's deadline.
const MAX_RETRY_AFTER_MS: i64 = 86_400_000;

/// The wait `Retry-After` asks for, in milliseconds from `now_ms` (0 for a date in the past), or
/// `None` when the value is neither delay-seconds nor an HTTP-date in one of the three formats
/// recipients must accept (IMF-fixdate, RFC 850, asctime).
pub(crate) fn wait_ms(value: &str, now_ms: i64) -> Option<i64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Long digit strings saturate instead of failing: "wait very long" is still the meaning.
        let seconds: i64 = value.parse().unwrap_or(i64::MAX);
        return Some(seconds.saturating_mul(1000).min(MAX_RETRY_AFTER_MS));
    }
    let at = http_date(value)?;
    Some(at.saturating_mul(1000).saturating_sub(now_ms).clamp(0, MAX_RETRY_AFTER_MS))
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Unix seconds of an HTTP-date.
fn http_date(value: &str) -> Option<i64> {
    let parts: Vec<&str> = value.split_ascii_whitespace().collect();
    match parts.as_slice() {
        // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
        [weekday, day, month, year, time, "GMT"] if weekday.ends_with(',') && year.len() == 4 => {
            civil(year.parse().ok()?, month, day, time)
        }
        // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT" (two-digit years: RFC 9110's 50-year rule
        // is approximated as 19xx for 50..99 and 20xx for 00..49).
        [weekday, date, time, "GMT"] if weekday.ends_with(',') => {
            let mut fields = date.split('-');
            let (Some(day), Some(month), Some(year), None) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                return None;
            };
            if year.len() != 2 {
                return None;
            }
            let short: i64 = year.parse().ok()?;
            civil(if short >= 50 { 1900 + short } else { 2000 + short }, month, day, time)
        }
        // asctime: "Sun Nov  6 08:49:37 1994"
        [_weekday, month, day, time, year] if year.len() == 4 => civil(year.parse().ok()?, month, day, time),
        _ => None,
    }
}

fn civil(year: i64, month: &str, day: &str, time: &str) -> Option<i64> {
    let month = MONTHS.iter().position(|m| *m == month)? as u32 + 1;
    if day.is_empty() || day.len() > 2 || !day.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let day: u32 = day.parse().ok()?;
    let mut hms = time.split(':');
    let (Some(h), Some(m), Some(s), None) = (hms.next(), hms.next(), hms.next(), hms.next()) else {
        return None;
    };
    let field =
        |text: &str| (text.len() == 2 && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok())?;
    unix_from_civil(year, month, day, field(h)?, field(m)?, field(s)?)
}

#[cfg(test)]
mod tests {
    use super::wait_ms;

    const NOW_MS: i64 = 784_111_777_000; // Sun, 06 Nov 1994 08:49:37 GMT

    #[test]
    fn delay_seconds() {
        assert_eq!(wait_ms("120", NOW_MS), Some(120_000));
        assert_eq!(wait_ms(" 0 ", NOW_MS), Some(0));
        assert_eq!(wait_ms("99999999999999999999999", NOW_MS), Some(86_400_000), "capped, not refused");
        assert_eq!(wait_ms("-5", NOW_MS), None);
        assert_eq!(wait_ms("1.5", NOW_MS), None);
        assert_eq!(wait_ms("", NOW_MS), None);
    }

    #[test]
    fn the_three_date_formats() {
        assert_eq!(wait_ms("Sun, 06 Nov 1994 08:49:47 GMT", NOW_MS), Some(10_000));
        assert_eq!(wait_ms("Sunday, 06-Nov-94 08:49:47 GMT", NOW_MS), Some(10_000));
        assert_eq!(wait_ms("Sun Nov  6 08:49:47 1994", NOW_MS), Some(10_000));
        assert_eq!(wait_ms("Sun, 06 Nov 1994 08:00:00 GMT", NOW_MS), Some(0), "a date in the past: no wait");
    }

    #[test]
    fn garbage_is_not_a_date() {
        for value in [
            "Sun, 06 Nov 1994 08:49:47 CET",
            "Sun, 31 Feb 1994 08:49:47 GMT",
            "Sun, 06 Foo 1994 08:49:47 GMT",
            "Sun, 06 Nov 1994 8:49:47 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "soon",
            "Sun, 06 Nov 1994 08:49:47 GMT extra",
        ] {
            assert_eq!(wait_ms(value, NOW_MS), None, "{value}");
        }
    }
}
