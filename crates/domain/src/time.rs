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

/// The first year of a plausible date or instant: a purchase, a visit, an event.
pub const FIRST_YEAR: i32 = 1970;
/// The last year of a plausible date or instant. Outside `FIRST_YEAR..=LAST_YEAR` nothing in
/// the model is accepted, so every stored value formats as `YYYY-…` and reads back
/// (a year of 10000 or below 0 would be written in a form the parser refuses).
pub const LAST_YEAR: i32 = 2099;

/// Whether `d` lies in the years the model accepts.
pub fn plausible_date(d: NaiveDate) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&d.year())
}

/// Whether `at` (in UTC, and so in China: 1970-01-01 08:00 there) lies in the years the
/// model accepts.
pub fn plausible_instant(at: DateTime<Utc>) -> bool {
    plausible_date(at.date_naive()) && plausible_date(china_date(at))
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

/// A due moment as the agenda and the policy page show it: `2026-07-20` when it is the end of
/// that day (a window counted in days), `2026-07-20 16:00` when the time matters (in hours).
pub fn due_text(at: NaiveDateTime) -> String {
    if at.time() == NaiveTime::from_hms_opt(23, 59, 59).expect("valid time") {
        date_text(at.date())
    } else {
        minute_text(at)
    }
}

/// `2026-07-20` as a date: four-digit year, two-digit month and day, nothing else, in the
/// plausible years ([`FIRST_YEAR`]..=[`LAST_YEAR`]).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    parse_any_date(text).filter(|d| plausible_date(*d))
}

fn parse_any_date(text: &str) -> Option<NaiveDate> {
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

/// An RFC 3339 instant as chrono and browsers write it: `2026-11-30T16:03:12.656Z` or with a
/// `±HH:MM` offset, seconds with up to nine decimals. Stricter than chrono's parser (which also
/// takes a space or lowercase separator and a leap second), and what it reads it reads as
/// chrono does (a property test checks); chrono's parser weighs 1.7 KB of the browser bundle.
/// Only plausible instants ([`plausible_instant`]) are read: `9999-12-31T23:59:59-23:59` is
/// refused, as it is in year 10000 in UTC.
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    parse_any_instant(text).filter(|at| plausible_instant(*at))
}

fn parse_any_instant(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r)?.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.get(10) != Some(&b'T') || b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    let date = parse_any_date(text.get(..10)?)?;
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    let mut at = 19;
    let mut nanos = 0;
    if b.get(at) == Some(&b'.') {
        let places = b[at + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if !(1..=9).contains(&places) {
            return None;
        }
        nanos = digits(at + 1..at + 1 + places)? * 10u32.pow(9 - places as u32);
        at += 1 + places;
    }
    let offset = match b.get(at)? {
        b'Z' => 0,
        &sign @ (b'+' | b'-') if b.get(at + 3) == Some(&b':') => {
            let (h, m) = (digits(at + 1..at + 3)?, digits(at + 4..at + 6)?);
            if h > 23 || m > 59 {
                return None;
            }
            at += 5;
            let secs = i64::from(h * 3600 + m * 60);
            if sign == b'-' { -secs } else { secs }
        }
        _ => return None,
    };
    if at + 1 != b.len() || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = i64::from(date.num_days_from_ce()) - 719_163;
    let secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset;
    DateTime::from_timestamp(secs, nanos)
}

/// Serde for the model's dates and instants, with small parsers: chrono's own `Deserialize`
/// goes through its general format parser, kilobytes of the browser bundle. They write what
/// chrono writes, and read it back: RFC 3339 instants and `YYYY-MM-DD` dates.
pub mod serde_as {
    use chrono::{DateTime, NaiveDate, Utc};
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};

    fn instant<E: Error>(text: &str) -> Result<DateTime<Utc>, E> {
        super::parse_instant(text).ok_or_else(|| {
            E::custom(format!(
                "{text:?} is not an RFC 3339 instant between {} and {}",
                super::FIRST_YEAR,
                super::LAST_YEAR
            ))
        })
    }

    fn date<E: Error>(text: &str) -> Result<NaiveDate, E> {
        super::parse_date(text).ok_or_else(|| {
            E::custom(format!(
                "{text:?} is not a date (YYYY-MM-DD) between {} and {}",
                super::FIRST_YEAR,
                super::LAST_YEAR
            ))
        })
    }

    /// Writes what the parsers read back: a value outside the plausible years is an error,
    /// never text that could not be read again.
    fn write_instant<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        if !super::plausible_instant(*at) {
            return Err(serde::ser::Error::custom(format!(
                "instant {at:?} is outside the plausible years"
            )));
        }
        at.serialize(s)
    }

    fn write_date<S: Serializer>(on: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        if !super::plausible_date(*on) {
            return Err(serde::ser::Error::custom(format!(
                "date {on:?} is outside the plausible years"
            )));
        }
        on.serialize(s)
    }

    /// An instant, `2026-07-20T08:00:00Z` (any RFC 3339 offset is read).
    pub mod instant {
        use super::*;

        /// As chrono writes it.
        pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
            write_instant(at, s)
        }

        /// An RFC 3339 instant, by chrono's strict RFC 3339 parser.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
            let text = String::deserialize(d)?;
            instant(&text)
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
            match at {
                Some(at) => write_instant(at, s),
                None => s.serialize_none(),
            }
        }

        /// An RFC 3339 instant or `null`.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            Option::<String>::deserialize(d)?
                .map(|text| instant(&text))
                .transpose()
        }
    }

    /// A date, `2026-07-20`.
    pub mod date {
        use super::*;

        /// As chrono writes it.
        pub fn serialize<S: Serializer>(on: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
            write_date(on, s)
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
            match on {
                Some(on) => write_date(on, s),
                None => s.serialize_none(),
            }
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
            use serde::ser::SerializeSeq;
            let mut seq = s.serialize_seq(Some(days.len()))?;
            for day in days {
                if !super::super::plausible_date(*day) {
                    return Err(serde::ser::Error::custom(format!(
                        "date {day:?} is outside the plausible years"
                    )));
                }
                seq.serialize_element(day)?;
            }
            seq.end()
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
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_due_moment_shows_its_time_only_when_it_is_not_the_end_of_the_day() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let end = day.and_hms_opt(23, 59, 59).unwrap();
        assert_eq!(due_text(end), "2026-11-20");
        assert_eq!(
            due_text(day.and_hms_opt(16, 0, 0).unwrap()),
            "2026-11-20 16:00"
        );
        assert_eq!(
            due_text(day.and_hms_opt(23, 59, 0).unwrap()),
            "2026-11-20 23:59"
        );
    }

    /// Seconds of the first and the last plausible instants (1970-01-01T00:00:00Z, and the
    /// last second of 2099 in China).
    const FIRST_SECS: i64 = 0;
    const LAST_SECS: i64 = 4_102_415_999;

    proptest! {
        /// What chrono writes (any precision, any offset) reads back exactly, and any text the
        /// parser takes, chrono's RFC 3339 parser takes with the same instant.
        #[test]
        fn instants_read_as_chrono_reads_them(
            secs in FIRST_SECS + 86_400..LAST_SECS - 86_400,
            nanos in 0u32..1_000_000_000,
            offset_minutes in -1439i32..1440,
            text in "[0-9]{4}-(0[1-9]|1[0-2]|13)-(0[1-9]|[12][0-9]|3[01])[Tt ]([01][0-9]|2[0-4]):[0-5][0-9]:[0-6][0-9](\\.[0-9]{0,11})?(Z|z|[+-]([01][0-9]|2[0-4]):?[0-6][0-9])?",
        ) {
            let at = DateTime::from_timestamp(secs, nanos).unwrap();
            let offset = FixedOffset::east_opt(offset_minutes * 60).unwrap();
            for format in [chrono::SecondsFormat::Secs, chrono::SecondsFormat::Millis,
                           chrono::SecondsFormat::Micros, chrono::SecondsFormat::Nanos,
                           chrono::SecondsFormat::AutoSi] {
                let written = at.with_timezone(&offset).to_rfc3339_opts(format, offset_minutes == 0);
                let chrono = DateTime::parse_from_rfc3339(&written).unwrap().to_utc();
                prop_assert_eq!(parse_instant(&written), Some(chrono), "{}", written);
                let json = serde_json::to_string(&at).unwrap();
                prop_assert_eq!(parse_instant(json.trim_matches('"')), Some(at));
            }
            // Random texts, most of them well formed: where this parser takes one, chrono
            // takes it with the same instant.
            if let Some(ours) = parse_instant(&text) {
                let theirs = DateTime::parse_from_rfc3339(&text).map(|t| t.to_utc());
                prop_assert_eq!(Ok(ours), theirs, "{}", text);
            }
        }

        /// The one formatter and the one parser agree on everything the parser takes, over
        /// every year and offset a text can spell: what is read is plausible, writes without
        /// error, and reads back as the same instant; what is implausible is refused on both
        /// sides, so no stored value can become unreadable.
        #[test]
        fn every_instant_the_parser_takes_round_trips(
            text in "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])",
            secs in -100_000_000_000i64..100_000_000_000,
        ) {
            let mut json = serde_json::Serializer::new(Vec::new());
            match parse_instant(&text) {
                Some(at) => {
                    prop_assert!(plausible_instant(at));
                    serde_as::instant::serialize(&at, &mut json).unwrap();
                    let written = String::from_utf8(json.into_inner()).unwrap();
                    prop_assert_eq!(parse_instant(written.trim_matches('"')), Some(at), "{}", written);
                }
                None => {
                    if let Some(at) = parse_any_instant(&text) {
                        prop_assert!(!plausible_instant(at), "{} was refused", text);
                    }
                }
            }
            let at = DateTime::from_timestamp(secs, 0).unwrap();
            let mut json = serde_json::Serializer::new(Vec::new());
            let wrote = serde_as::instant::serialize(&at, &mut json).is_ok();
            prop_assert_eq!(wrote, plausible_instant(at));
        }
    }

    #[test]
    fn instants_outside_the_plausible_years_are_refused() {
        for bad in [
            "9999-12-31T23:59:59-23:59",
            "0000-01-01T00:00:00+23:59",
            "1969-12-31T23:59:59Z",
            "2100-01-01T00:00:00+08:00",
            "2099-12-31T16:00:00Z",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad:?}");
        }
        for good in [
            "1970-01-01T00:00:00Z",
            "2099-12-31T23:59:59+08:00",
            "2026-11-30T16:03:12.656Z",
        ] {
            assert!(parse_instant(good).is_some(), "{good:?}");
        }
        let far = DateTime::from_timestamp(253_402_300_799 + 86_400, 0).unwrap();
        assert!(serde_json::to_string(&Wrapped(far)).is_err());
    }

    #[derive(serde::Serialize)]
    struct Wrapped(#[serde(with = "serde_as::instant")] DateTime<Utc>);

    #[test]
    fn instants_refuse_what_is_not_rfc_3339() {
        assert_eq!(
            parse_instant("2026-11-30T16:03:12.656Z"),
            DateTime::parse_from_rfc3339("2026-11-30T16:03:12.656Z")
                .ok()
                .map(|t| t.to_utc())
        );
        assert_eq!(
            parse_instant("2026-12-01T00:03:12+08:00"),
            parse_instant("2026-11-30T16:03:12Z")
        );
        for bad in [
            "",
            "2026-11-30",
            "2026-11-30T16:03:12",
            "2026-11-30T16:03:12.Z",
            "2026-11-30T16:03:12.1234567890Z",
            "2026-11-30T24:00:00Z",
            "2026-11-30T16:60:00Z",
            "2026-11-30T16:03:60Z",
            "2026-02-30T16:03:12Z",
            "2026-11-30T16:03:12+24:00",
            "2026-11-30T16:03:12+0800",
            "2026-11-30T16:03:12Zjunk",
            "2026-11-30T16:03:12+08:00 ",
            "２０26-11-30T16:03:12Z",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn dates_parse_exactly_yyyy_mm_dd() {
        assert_eq!(
            parse_date("2028-02-29"),
            NaiveDate::from_ymd_opt(2028, 2, 29)
        );
        assert_eq!(
            parse_date("1970-01-01"),
            NaiveDate::from_ymd_opt(1970, 1, 1)
        );
        assert_eq!(
            parse_date("2099-12-31"),
            NaiveDate::from_ymd_opt(2099, 12, 31)
        );
        for bad in [
            "2027-02-29",
            "0802-01-05",
            "1969-12-31",
            "2100-01-01",
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
        fn the_small_parsers_read_what_chrono_writes(days in 719_163i32..766_644, secs in 0u32..86_400, nanos in 0u32..1_000_000_000) {
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
