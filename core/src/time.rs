//! Time helpers. The protocol path never reads the clock; [`unix_now`] is for hosts.

/// The current time as Unix seconds, read from the system clock.
///
/// A convenience for hosts: every protocol function takes `now` as an argument instead, so tests
/// and simulations can fix it. Returns 0 if the clock is before 1970.
pub fn unix_now() -> i64 {
    // wasm32-unknown-unknown has no system clock in std; hosts there pass `now` (Date.now()).
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    {
        0
    }
}

/// Latest `now` we accept (9999-12-31T23:59:59Z): anything later is a unit mistake (ms, not s).
pub(crate) const MAX_UNIX_SECONDS: i64 = 253_402_300_799;

/// Refuses a `now` that cannot be Unix seconds (zero, negative, or milliseconds).
pub(crate) fn check_now(now: i64) -> crate::Result<()> {
    if (1..=MAX_UNIX_SECONDS).contains(&now) {
        Ok(())
    } else {
        Err(crate::Error::invalid(
            crate::ErrorKind::InvalidNow,
            "now",
            format!("{now} is not a Unix time in seconds (milliseconds given?)"),
        ))
    }
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` for messages (civil-from-days, proleptic
/// Gregorian), so errors quote dates people can read.
pub fn format_utc(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs_of_day / 3600,
        (secs_of_day % 3600) / 60,
        secs_of_day % 60
    )
}

// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Unix seconds of a UTC civil time; `None` for a field out of range (month 13, day 32, hour 24,
/// second 60). Days past a short month's end (Feb 30) are refused too.
pub(crate) fn unix_from_civil(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Option<i64> {
    if !(1..=12).contains(&month) || day == 0 || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    // Round-tripping refuses a day past the month's end without a table of month lengths.
    (civil_from_days(days) == (year, month, day)).then(|| days * 86_400 + i64::from(hour * 3600 + minute * 60 + second))
}

/// Unix seconds of an ISO-8601 / RFC 3339 date-time (`2026-01-01T12:00:00Z`, fractions and
/// `+01:00` offsets allowed; a date alone is its midnight UTC); `None` when it is not one.
pub(crate) fn parse_iso8601(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, time) = match text.split_once(['T', 't', ' ']) {
        Some((date, time)) => (date, time),
        None => (text, "00:00:00Z"),
    };
    let mut ymd = date.split('-');
    let (year, month, day) = (ymd.next()?.parse().ok()?, ymd.next()?.parse().ok()?, ymd.next()?.parse().ok()?);
    if ymd.next().is_some() {
        return None;
    }
    let (clock, offset) = match time.find(['Z', 'z', '+', '-']) {
        Some(at) => (&time[..at], &time[at..]),
        None => (time, "Z"),
    };
    let mut hms = clock.split(':');
    let (hour, minute) = (hms.next()?.parse().ok()?, hms.next()?.parse().ok()?);
    let second: u32 = match hms.next() {
        Some(s) => s.split('.').next()?.parse().ok()?,
        None => 0,
    };
    let base = unix_from_civil(year, month, day, hour, minute, second)?;
    let shift = match offset.as_bytes().first() {
        Some(b'+' | b'-') => {
            let sign = if offset.starts_with('-') { -1 } else { 1 };
            let digits = offset[1..].replace(':', "");
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            sign * (digits[..2].parse::<i64>().ok()? * 3600 + digits[2..].parse::<i64>().ok()? * 60)
        }
        _ if offset.len() == 1 => 0,
        _ => return None,
    };
    Some(base - shift)
}

// Howard Hinnant's days-from-civil algorithm, the inverse of `civil_from_days`.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = i64::from(month);
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips_and_refuses_impossible_dates() {
        for days in (-800_000..3_000_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(unix_from_civil(y, m, d, 23, 59, 59), Some(days * 86_400 + 86_399));
        }
        assert_eq!(unix_from_civil(2024, 2, 29, 0, 0, 0), Some(1_709_164_800));
        assert_eq!(unix_from_civil(2023, 2, 29, 0, 0, 0), None);
        assert_eq!(unix_from_civil(2023, 4, 31, 0, 0, 0), None);
        assert_eq!(unix_from_civil(2023, 13, 1, 0, 0, 0), None);
        assert_eq!(unix_from_civil(2023, 1, 1, 24, 0, 0), None);
        assert_eq!(unix_from_civil(2023, 1, 1, 0, 0, 60), None);
    }

    #[test]
    fn iso8601_date_times() {
        assert_eq!(parse_iso8601("2026-01-01T00:00:00Z"), Some(1_767_225_600));
        assert_eq!(parse_iso8601("2026-01-01T01:00:00.999+01:00"), Some(1_767_225_600));
        assert_eq!(parse_iso8601("2026-01-01"), Some(1_767_225_600));
        assert_eq!(parse_iso8601("2025-12-31T23:00:00-01:00"), Some(1_767_225_600));
        for bad in ["", "2026-13-01T00:00:00Z", "soon", "2026-01-01T00:00:00+1", "2026-01-01T00:00:00Zjunk"] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(-1), "1969-12-31T23:59:59Z");
    }
}
