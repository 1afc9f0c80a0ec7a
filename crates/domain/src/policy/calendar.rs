//! The working-day calendar (工作日历): weekends, public holidays and 调休 make-up working days, as data.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The official mainland-China calendar shipped with the engine.
#[cfg(feature = "toml")]
pub const CN_CALENDAR: &str = include_str!("../../calendars/cn.toml");

/// Which days are working days. 工作日历
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    holidays: BTreeSet<NaiveDate>,
    make_up_days: BTreeSet<NaiveDate>,
    years: BTreeSet<i32>,
}

/// A calendar as written or sent, before validation: the years whose official holidays it
/// knows, the holidays, and the 调休 make-up working days, as dates (`2026-02-14` in JSON).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// Years covered by the official notices.
    #[serde(default)]
    pub years: Vec<i32>,
    /// Public holidays (days off that may fall on weekdays).
    #[serde(default, with = "crate::time::serde_as::dates")]
    pub holidays: Vec<NaiveDate>,
    /// Weekend days that are working days (调休上班).
    #[serde(default, with = "crate::time::serde_as::dates")]
    pub make_up_working_days: Vec<NaiveDate>,
}

/// The TOML file's shape: the same fields, with TOML's own date type.
#[cfg(feature = "toml")]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    #[serde(default)]
    years: Vec<i32>,
    #[serde(default)]
    holidays: Vec<toml::value::Datetime>,
    #[serde(default)]
    make_up_working_days: Vec<toml::value::Datetime>,
}

impl WorkCalendar {
    /// The shipped mainland-China calendar (see `calendars/cn.toml` for the years and notices).
    #[cfg(feature = "toml")]
    pub fn china() -> WorkCalendar {
        WorkCalendar::from_toml(CN_CALENDAR).expect("the shipped calendar parses")
    }

    /// Parses a calendar file: `years`, `holidays` and `make_up_working_days` (调休上班).
    #[cfg(feature = "toml")]
    pub fn from_toml(text: &str) -> Result<WorkCalendar, String> {
        let file: CalendarFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let dates = |list: &[toml::value::Datetime]| -> Result<Vec<NaiveDate>, String> {
            list.iter()
                .map(|d| {
                    d.to_string()
                        .parse()
                        .map_err(|_| format!("{d} is not a plain date"))
                })
                .collect()
        };
        WorkCalendar::from_spec(CalendarSpec {
            years: file.years,
            holidays: dates(&file.holidays)?,
            make_up_working_days: dates(&file.make_up_working_days)?,
        })
    }

    /// Validates a calendar's raw form (from a file or received by sync): no day may be both
    /// a holiday and a make-up working day. (A make-up day on a weekday is allowed: an
    /// organisation's override file uses it to work on a public holiday.)
    pub fn from_spec(spec: CalendarSpec) -> Result<WorkCalendar, String> {
        // Inserted one by one rather than collected: collecting sorts first, and each sort
        // instance costs the browser bundle kilobytes.
        let mut cal = WorkCalendar::default();
        cal.holidays.extend(spec.holidays);
        cal.make_up_days.extend(spec.make_up_working_days);
        cal.years.extend(spec.years);
        if let Some(d) = cal.holidays.intersection(&cal.make_up_days).next() {
            return Err(format!("{d} is both a holiday and a make-up working day"));
        }
        Ok(cal)
    }

    /// The raw form of this calendar, to send to devices.
    pub fn to_spec(&self) -> CalendarSpec {
        CalendarSpec {
            years: self.years.iter().copied().collect(),
            holidays: self.holidays.iter().copied().collect(),
            make_up_working_days: self.make_up_days.iter().copied().collect(),
        }
    }

    /// Adds an organisation's own days on top: its holidays and make-up days win over the base.
    pub fn overridden_by(mut self, org: &WorkCalendar) -> WorkCalendar {
        for d in &org.holidays {
            self.make_up_days.remove(d);
            self.holidays.insert(*d);
        }
        for d in &org.make_up_days {
            self.holidays.remove(d);
            self.make_up_days.insert(*d);
        }
        self.years.extend(&org.years);
        self
    }

    /// This calendar with each year `entered` covers taken from it: that year's holidays and
    /// make-up days replace this calendar's (an administrator entering a year, or entering it
    /// again corrected); other years stay as they are.
    pub fn with_years_of(mut self, entered: &WorkCalendar) -> WorkCalendar {
        let replaced = |d: &NaiveDate| entered.years.contains(&d.year());
        self.holidays.retain(|d| !replaced(d));
        self.make_up_days.retain(|d| !replaced(d));
        self.holidays
            .extend(entered.holidays.iter().filter(|d| replaced(d)));
        self.make_up_days
            .extend(entered.make_up_days.iter().filter(|d| replaced(d)));
        self.years.extend(&entered.years);
        self
    }

    /// The years whose official holidays this calendar knows.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// The years from `from` to `to` (both included) whose official holidays this calendar
    /// does not know: there only weekends are days off, so working-day deadlines may be early.
    pub fn uncovered_years(&self, from: NaiveDate, to: NaiveDate) -> Vec<i32> {
        (from.year()..=to.year())
            .filter(|y| !self.years.contains(y))
            .collect()
    }

    /// Whether the calendar knows the official holidays of every year from `from` to `to`
    /// (both included): working days counted between them are exact.
    pub fn covers(&self, from: NaiveDate, to: NaiveDate) -> bool {
        (from.year()..=to.year()).all(|y| self.years.contains(&y))
    }

    /// Whether `day` is a working day: a make-up day, or a weekday that is not a holiday.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.make_up_days.contains(&day) {
            return true;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&day)
    }

    /// The `n`-th working day after `from` (`from` itself not counted; 0 gives `from`).
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut day = from;
        let mut left = n;
        while left > 0 {
            day = match day.succ_opt() {
                Some(d) => d,
                None => return NaiveDate::MAX,
            };
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }
}

#[cfg(all(test, feature = "toml"))]
mod tests {
    use chrono::{Datelike, NaiveDate, Weekday};

    use super::WorkCalendar;

    /// One year's notice: the year, each holiday period (first and last day), the weekend days
    /// worked.
    type Notice = (
        i32,
        &'static [(&'static str, &'static str)],
        &'static [&'static str],
    );

    /// The State Council's notices as published (新华社, 2024-11-12 and 2025-11-04; the same
    /// text on gov.cn): each holiday period (first and last day) and the weekend days worked.
    const NOTICES: [Notice; 2] = [
        (
            2025,
            &[
                ("2025-01-01", "2025-01-01"),
                ("2025-01-28", "2025-02-04"),
                ("2025-04-04", "2025-04-06"),
                ("2025-05-01", "2025-05-05"),
                ("2025-05-31", "2025-06-02"),
                ("2025-10-01", "2025-10-08"),
            ],
            &[
                "2025-01-26",
                "2025-02-08",
                "2025-04-27",
                "2025-09-28",
                "2025-10-11",
            ],
        ),
        (
            2026,
            &[
                ("2026-01-01", "2026-01-03"),
                ("2026-02-15", "2026-02-23"),
                ("2026-04-04", "2026-04-06"),
                ("2026-05-01", "2026-05-05"),
                ("2026-06-19", "2026-06-21"),
                ("2026-09-25", "2026-09-27"),
                ("2026-10-01", "2026-10-07"),
            ],
            &[
                "2026-01-04",
                "2026-02-14",
                "2026-02-28",
                "2026-05-09",
                "2026-09-20",
                "2026-10-10",
            ],
        ),
    ];

    /// Every day of the shipped years is a working day exactly when the notices make it one:
    /// a weekday outside the holiday periods, or a weekend day they say is worked.
    #[test]
    fn the_shipped_years_match_the_state_council_notices_day_by_day() {
        let calendar = WorkCalendar::china();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        for (year, periods, worked) in NOTICES {
            let mut day = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
            while day.year() == year {
                let off = periods.iter().any(|(a, b)| d(a) <= day && day <= d(b));
                let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
                let expected = worked.iter().any(|w| d(w) == day) || (!weekend && !off);
                assert_eq!(calendar.is_working_day(day), expected, "{day}");
                day = day.succ_opt().unwrap();
            }
        }
        assert_eq!(calendar.years().collect::<Vec<_>>(), [2025, 2026]);
    }

    /// holiday-cn's day list of one year (`calendars/holiday-cn/`), as dates and whether each
    /// is a day off.
    fn holiday_cn(year: i32) -> Vec<(NaiveDate, bool)> {
        let text = match year {
            2025 => include_str!("../../calendars/holiday-cn/2025.json"),
            2026 => include_str!("../../calendars/holiday-cn/2026.json"),
            _ => panic!("no holiday-cn file for {year}: copy it into calendars/holiday-cn/"),
        };
        let file: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(file["year"], year);
        file["days"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let date = d["date"].as_str().unwrap().parse().unwrap();
                (date, d["isOffDay"].as_bool().unwrap())
            })
            .collect()
    }

    /// Every day of every year the shipped calendar covers agrees with an independent,
    /// machine-readable copy of the same notices (NateScarlet/holiday-cn, scraped from gov.cn):
    /// a day it lists is off or worked as it says, any other day is off on weekends only.
    #[test]
    fn the_shipped_years_match_holiday_cn_day_by_day() {
        let calendar = WorkCalendar::china();
        let mut days = 0;
        for year in calendar.years() {
            let listed = holiday_cn(year);
            let mut day = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
            while day.year() == year {
                let expected = match listed.iter().find(|(d, _)| *d == day) {
                    Some((_, off)) => !off,
                    None => !matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
                };
                assert_eq!(calendar.is_working_day(day), expected, "{day}");
                day = day.succ_opt().unwrap();
                days += 1;
            }
        }
        assert_eq!(days, 730);
    }
}
