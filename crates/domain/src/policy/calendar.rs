//! The working-day calendar (工作日历): weekends, public holidays and 调休 make-up working days, as data.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

/// The official mainland-China calendar shipped with the engine.
pub const CN_CALENDAR: &str = include_str!("../../calendars/cn.toml");

/// Which days are working days. 工作日历
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    holidays: BTreeSet<NaiveDate>,
    make_up_days: BTreeSet<NaiveDate>,
    years: BTreeSet<i32>,
}

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
    pub fn china() -> WorkCalendar {
        WorkCalendar::from_toml(CN_CALENDAR).expect("the shipped calendar parses")
    }

    /// Parses a calendar file: `years`, `holidays` and `make_up_working_days` (调休上班).
    pub fn from_toml(text: &str) -> Result<WorkCalendar, String> {
        let file: CalendarFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut cal = WorkCalendar::default();
        cal.years.extend(file.years);
        let date = |d: &toml::value::Datetime| -> Result<NaiveDate, String> {
            d.to_string()
                .parse()
                .map_err(|_| format!("{d} is not a plain date"))
        };
        for d in &file.holidays {
            cal.holidays.insert(date(d)?);
        }
        for d in &file.make_up_working_days {
            cal.make_up_days.insert(date(d)?);
        }
        if let Some(d) = cal.holidays.intersection(&cal.make_up_days).next() {
            return Err(format!("{d} is both a holiday and a make-up working day"));
        }
        Ok(cal)
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

    /// The years whose official holidays this calendar knows.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
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
