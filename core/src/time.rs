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
            "invalid_now",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(-1), "1969-12-31T23:59:59Z");
    }
}
