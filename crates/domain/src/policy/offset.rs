//! Offsets from a trigger (时限): hours, calendar days, working days, weeks, months.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::calendar::WorkCalendar;

/// A unit of an [`Offset`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OffsetUnit {
    /// Exact hours from the trigger instant. 小时
    Hours,
    /// Calendar days; the window closes at the end of the day. 天
    Days,
    /// Working days of the calendar (weekends and holidays skipped, 调休 days counted). 工作日
    WorkingDays,
    /// Weeks of seven calendar days. 周
    Weeks,
    /// Calendar months, clamped to the month's end (Jan 31 + 1 month = Feb 28/29). 月
    Months,
}

/// A non-negative distance from a trigger, written like `48h`, `7 days`, `7 working days`,
/// `1 week`, `3 months`, `same day` or `next day` in policy files. 时限
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Offset {
    /// How many units.
    pub amount: u32,
    /// Which unit.
    pub unit: OffsetUnit,
}

impl Offset {
    /// Parses the policy-file spelling; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Offset, String> {
        // ASCII case only: every spelling is ASCII or Chinese, and full Unicode case tables
        // would cost the browser bundle a kilobyte.
        let t = text.trim().to_ascii_lowercase();
        match t.as_str() {
            "same day" | "当天" | "当日" => {
                return Ok(Offset {
                    amount: 0,
                    unit: OffsetUnit::Days,
                });
            }
            "next day" | "次日" | "第二日" => {
                return Ok(Offset {
                    amount: 1,
                    unit: OffsetUnit::Days,
                });
            }
            _ => {}
        }
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '-' || c == '+'))
            .unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        let amount: i64 = num
            .trim()
            .parse()
            .map_err(|_| format!("offset {text:?} does not start with a whole number"))?;
        if amount < 0 {
            return Err(format!("offset {text:?} is negative"));
        }
        let amount = u32::try_from(amount).map_err(|_| format!("offset {text:?} is too large"))?;
        let unit = match unit.trim() {
            "h" | "hour" | "hours" | "小时" => OffsetUnit::Hours,
            "d" | "day" | "days" | "天" => OffsetUnit::Days,
            "working day" | "working days" | "工作日" => OffsetUnit::WorkingDays,
            "w" | "week" | "weeks" | "周" => OffsetUnit::Weeks,
            "month" | "months" | "个月" | "月" => OffsetUnit::Months,
            other => return Err(format!("offset {text:?} has an unknown unit {other:?}")),
        };
        Ok(Offset { amount, unit })
    }

    /// `amount` times this offset (for recurrences), computed from the start so months do not drift.
    pub fn times(self, k: u32) -> Offset {
        Offset {
            amount: self.amount.saturating_mul(k),
            unit: self.unit,
        }
    }

    /// The instant `self` after `from` (China local time). Calendar units end at 23:59:59
    /// of the day reached, so "within 7 days" includes the whole seventh day.
    pub fn after(self, from: NaiveDateTime, calendar: &WorkCalendar) -> NaiveDateTime {
        datetime(self.after_secs(secs(from), calendar))
    }

    /// The earliest instant of a window opening `self` after `from`: exact for hours,
    /// otherwise the start of the day reached (never before `from`).
    pub fn opening_after(self, from: NaiveDateTime, calendar: &WorkCalendar) -> NaiveDateTime {
        datetime(self.opening_after_secs(secs(from), calendar))
    }

    /// [`Offset::after`] on [`LocalSecs`], the engine's working unit.
    pub(crate) fn after_secs(self, from: LocalSecs, calendar: &WorkCalendar) -> LocalSecs {
        let n = i64::from(self.amount);
        let day = from.div_euclid(DAY);
        let end_of = |day: i64| day * DAY + DAY - 1;
        match self.unit {
            OffsetUnit::Hours => from + n * 3600,
            OffsetUnit::Days => end_of(day + n),
            OffsetUnit::Weeks => end_of(day + 7 * n),
            OffsetUnit::Months => end_of(day_number(add_months(date(day), self.amount))),
            OffsetUnit::WorkingDays => end_of(day_number(
                calendar.add_working_days(date(day), self.amount),
            )),
        }
    }

    /// [`Offset::opening_after`] on [`LocalSecs`].
    pub(crate) fn opening_after_secs(self, from: LocalSecs, calendar: &WorkCalendar) -> LocalSecs {
        if self.amount == 0 || self.unit == OffsetUnit::Hours {
            return from + i64::from(self.amount) * 3600;
        }
        opening_of(self.after_secs(from, calendar), from)
    }

    /// Whether the result of [`Offset::after_secs`] depends only on the day of `from` and
    /// needs calendar arithmetic (months, working days): worth remembering per day.
    pub(crate) fn is_by_day(self) -> bool {
        matches!(self.unit, OffsetUnit::Months | OffsetUnit::WorkingDays)
    }

    /// A rough length in hours, used only to compare offsets of different units.
    pub fn approx_hours(self) -> u64 {
        let a = u64::from(self.amount);
        match self.unit {
            OffsetUnit::Hours => a,
            OffsetUnit::Days => a * 24 + 23,
            OffsetUnit::WorkingDays => a * 24 * 7 / 5 + 23,
            OffsetUnit::Weeks => a * 7 * 24 + 23,
            OffsetUnit::Months => a * 30 * 24 + 23,
        }
    }
}

/// China local time as whole seconds since 1970-01-01 00:00 local: the engine computes on
/// these plain integers and turns them into `NaiveDateTime` only for its output.
pub(crate) type LocalSecs = i64;

pub(crate) const DAY: i64 = 86_400;

/// Days from 0001-01-01 to 1970-01-01.
const UNIX_EPOCH_DAY: i64 = 719_163;

/// The opening of a window whose offset (not in hours, not zero) reaches `reached` from
/// `from`: the start of that day, never before `from`.
pub(crate) fn opening_of(reached: LocalSecs, from: LocalSecs) -> LocalSecs {
    (reached - reached.rem_euclid(DAY)).max(from)
}

/// The day number of [`LocalSecs`] (days since 1970-01-01).
pub(crate) fn day_of(secs: LocalSecs) -> i64 {
    secs.div_euclid(DAY)
}

/// A local date-time as [`LocalSecs`].
pub(crate) fn secs(at: NaiveDateTime) -> LocalSecs {
    at.and_utc().timestamp()
}

/// [`LocalSecs`] as a local date-time; past chrono's range, `NaiveDateTime::MAX`.
pub(crate) fn datetime(secs: LocalSecs) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(secs, 0).map_or(NaiveDateTime::MAX, |d| d.naive_utc())
}

fn date(day: i64) -> NaiveDate {
    i32::try_from(day + UNIX_EPOCH_DAY)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or(NaiveDate::MAX)
}

fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) - UNIX_EPOCH_DAY
}

/// `date` plus `n` calendar months, clamped to the month's end (Jan 31 + 1 month = Feb 28/29);
/// `NaiveDate::MAX` past chrono's range. The same as chrono's `checked_add_months` (a property
/// test checks), in a few integer steps: the agenda computes this for every item.
fn add_months(date: NaiveDate, n: u32) -> NaiveDate {
    let months = i64::from(date.year()) * 12 + i64::from(date.month0()) + i64::from(n);
    let (Ok(year), month) = (
        i32::try_from(months.div_euclid(12)),
        months.rem_euclid(12) as u32 + 1,
    ) else {
        return NaiveDate::MAX;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let last = match month {
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 31,
    };
    NaiveDate::from_ymd_opt(year, month, date.day().min(last)).unwrap_or(NaiveDate::MAX)
}

impl std::fmt::Display for Offset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.unit {
            OffsetUnit::Hours => "h",
            OffsetUnit::Days => "day",
            OffsetUnit::WorkingDays => "working day",
            OffsetUnit::Weeks => "week",
            OffsetUnit::Months => "month",
        };
        // "1 month", "3 months" (a spelling `parse` reads back).
        let plural = if self.amount == 1 || self.unit == OffsetUnit::Hours {
            ""
        } else {
            "s"
        };
        write!(f, "{} {unit}{plural}", self.amount)
    }
}

impl Offset {
    /// The offset in Chinese, for explanations (`48小时`, `7个工作日`, `3个月`).
    pub fn zh(self) -> String {
        let unit = match self.unit {
            OffsetUnit::Hours => "小时",
            OffsetUnit::Days => "天",
            OffsetUnit::WorkingDays => "个工作日",
            OffsetUnit::Weeks => "周",
            OffsetUnit::Months => "个月",
        };
        format!("{}{unit}", self.amount)
    }
}

impl serde::Serialize for Offset {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Months, NaiveDate};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn add_months_matches_chrono(days in -200_000i32..200_000, n in 0u32..2_400) {
            let date = NaiveDate::from_num_days_from_ce_opt(738_000 + days).unwrap();
            let expected = date.checked_add_months(Months::new(n)).unwrap_or(NaiveDate::MAX);
            prop_assert_eq!(super::add_months(date, n), expected);
        }
    }

    #[test]
    fn add_months_clamps_to_the_month_end() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(super::add_months(d(2027, 1, 31), 1), d(2027, 2, 28));
        assert_eq!(super::add_months(d(2028, 1, 31), 1), d(2028, 2, 29));
        assert_eq!(super::add_months(d(2100, 1, 31), 1), d(2100, 2, 28));
        assert_eq!(super::add_months(d(2000, 1, 31), 1), d(2000, 2, 29));
        assert_eq!(super::add_months(d(2026, 8, 31), 1), d(2026, 9, 30));
        assert_eq!(super::add_months(NaiveDate::MAX, 1), NaiveDate::MAX);
    }

    /// Explanations read "+ 1 month", "+ 3 months", "+ 48 h"; each spelling parses back.
    #[test]
    fn offsets_are_written_in_english_and_read_back() {
        for (text, written) in [
            ("1 month", "1 month"),
            ("3 个月", "3 months"),
            ("next day", "1 day"),
            ("same day", "0 days"),
            ("1 working day", "1 working day"),
            ("7 工作日", "7 working days"),
            ("1 week", "1 week"),
            ("48h", "48 h"),
        ] {
            let offset = super::Offset::parse(text).unwrap();
            assert_eq!(offset.to_string(), written);
            assert_eq!(super::Offset::parse(written), Ok(offset));
        }
    }
}
