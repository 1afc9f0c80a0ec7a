//! Local time of the policies: mainland China (Asia/Shanghai, UTC+8 all year, no DST).

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// UTC+8, the offset of Asia/Shanghai; China has had no daylight saving time since 1991.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The calendar date in China of an instant: a visit at 23:30 UTC belongs to the next day there.
pub fn china_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&china()).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_utc_evening_is_next_day_in_china() {
        let at = DateTime::parse_from_rfc3339("2026-03-01T16:30:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(china_date(at), NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
        let at = DateTime::parse_from_rfc3339("2026-03-01T15:59:59Z")
            .unwrap()
            .to_utc();
        assert_eq!(china_date(at), NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
    }
}
