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

/// `2026-07-20` as a date: four-digit year, two-digit month and day, nothing else.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?)
}

/// Serde for the model's dates and instants, with small parsers: chrono's own `Deserialize`
/// goes through its general format parser, kilobytes of the browser bundle. They write what
/// chrono writes, and read it back: RFC 3339 instants and `YYYY-MM-DD` dates.
pub mod serde_as {
    use chrono::{DateTime, NaiveDate, Utc};
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};

    fn date<E: Error>(text: &str) -> Result<NaiveDate, E> {
        super::parse_date(text)
            .ok_or_else(|| E::custom(format!("{text:?} is not a date (YYYY-MM-DD)")))
    }

    /// An instant, `2026-07-20T08:00:00Z` (any RFC 3339 offset is read).
    pub mod instant {
        use super::*;

        /// As chrono writes it.
        pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
            at.serialize(s)
        }

        /// An RFC 3339 instant, by chrono's strict RFC 3339 parser.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
            let text = String::deserialize(d)?;
            DateTime::parse_from_rfc3339(&text)
                .map(|at| at.to_utc())
                .map_err(|e| D::Error::custom(format!("{text:?} is not an RFC 3339 instant: {e}")))
        }
    }

    /// An optional instant: [`instant`] or `null`.
    pub mod option_instant {
        use super::*;

        /// As chrono writes it, or `null`.
        pub fn serialize<S: Serializer>(
            at: &Option<DateTime<Utc>>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            at.serialize(s)
        }

        /// An RFC 3339 instant or `null`.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            Option::<String>::deserialize(d)?
                .map(|text| {
                    DateTime::parse_from_rfc3339(&text)
                        .map(|at| at.to_utc())
                        .map_err(|e| {
                            D::Error::custom(format!("{text:?} is not an RFC 3339 instant: {e}"))
                        })
                })
                .transpose()
        }
    }

    /// A date, `2026-07-20`.
    pub mod date {
        use super::*;

        /// As chrono writes it.
        pub fn serialize<S: Serializer>(on: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
            on.serialize(s)
        }

        /// `YYYY-MM-DD`.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
            date(&String::deserialize(d)?)
        }
    }

    /// An optional date (`null` or absent when none; use with `#[serde(default)]`).
    pub mod option_date {
        use super::*;

        /// As chrono writes it, or `null`.
        pub fn serialize<S: Serializer>(on: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
            on.serialize(s)
        }

        /// `YYYY-MM-DD` or `null`.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
            Option::<String>::deserialize(d)?
                .map(|text| date(&text))
                .transpose()
        }
    }

    /// A list of dates.
    pub mod dates {
        use super::*;

        /// As chrono writes them.
        pub fn serialize<S: Serializer>(days: &[NaiveDate], s: S) -> Result<S::Ok, S::Error> {
            days.serialize(s)
        }

        /// `["YYYY-MM-DD", …]`.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
            Vec::<String>::deserialize(d)?
                .iter()
                .map(|text| date(text))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_exactly_yyyy_mm_dd() {
        assert_eq!(
            parse_date("2028-02-29"),
            NaiveDate::from_ymd_opt(2028, 2, 29)
        );
        assert_eq!(parse_date("0802-01-05"), NaiveDate::from_ymd_opt(802, 1, 5));
        for bad in [
            "2027-02-29",
            "2026-7-20",
            "2026-07-20 ",
            "2026/07/20",
            "+026-07-20",
            "",
            "２０２６-07-20",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
    }

    proptest::proptest! {
        /// Whatever chrono writes, the small parsers read back, and agree with chrono's.
        #[test]
        fn the_small_parsers_read_what_chrono_writes(days in 1i32..3_652_000, secs in 0u32..86_400, nanos in 0u32..1_000_000_000) {
            let on = NaiveDate::from_num_days_from_ce_opt(days).unwrap();
            let text = serde_json::to_string(&on).unwrap();
            proptest::prop_assert_eq!(serde_as::date::deserialize(&mut serde_json::Deserializer::from_str(&text)).unwrap(), on);
            let at = on.and_time(NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos).unwrap()).and_utc();
            let text = serde_json::to_string(&at).unwrap();
            proptest::prop_assert_eq!(serde_as::instant::deserialize(&mut serde_json::Deserializer::from_str(&text)).unwrap(), at);
        }
    }

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
