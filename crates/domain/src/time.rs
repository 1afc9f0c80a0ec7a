//! Local time of the policies: mainland China (Asia/Shanghai, UTC+8 all year, no DST).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};

/// UTC+8, the offset of Asia/Shanghai; China has had no daylight saving time since 1991.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The calendar date in China of an instant: a visit at 23:30 UTC belongs to the next day there.
pub fn china_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&china()).date_naive()
}

// Dates and times as text by hand: chrono's `format` parses its pattern at run time, and
// that parser and formatter weigh about 8 KB of the browser bundle (brotli).

/// `2026-07-20`.
pub fn date_text(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// `16:00`.
pub fn hh_mm(t: NaiveTime) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// `16:00:05`.
pub fn hh_mm_ss(t: NaiveTime) -> String {
    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
}

/// `2026-07-20 16:00`.
pub fn minute_text(at: NaiveDateTime) -> String {
    format!("{} {}", date_text(at.date()), hh_mm(at.time()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_match_chronos_patterns() {
        let at = NaiveDate::from_ymd_opt(802, 1, 5)
            .unwrap()
            .and_hms_milli_opt(7, 3, 9, 250)
            .unwrap();
        assert_eq!(date_text(at.date()), at.format("%Y-%m-%d").to_string());
        assert_eq!(hh_mm(at.time()), at.format("%H:%M").to_string());
        assert_eq!(hh_mm_ss(at.time()), at.format("%H:%M:%S").to_string());
        assert_eq!(minute_text(at), at.format("%Y-%m-%d %H:%M").to_string());
        assert_eq!(minute_text(at), "0802-01-05 07:03");
    }

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
