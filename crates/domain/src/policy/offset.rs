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

    /// Where a window whose end is written `self` closes, counted from `from` (China local
    /// time): exactly `self` later for hours; otherwise at the end of the day reached, that is
    /// 00:00 of the next day. Windows are half-open: the closing instant is already late, so
    /// "within 24 hours" ends at +24 h and "within 7 days" covers the whole seventh day.
    pub fn closes_after(self, from: NaiveDateTime, calendar: &WorkCalendar) -> NaiveDateTime {
        datetime(self.closes_secs(secs(from), calendar))
    }

    /// Where a window whose start is written `self` opens, counted from `from`: exactly
    /// `self` later for hours (and for nothing at all), otherwise at the start of the day
    /// reached, never before `from`. A window opening at `N days` follows one closing at
    /// `N - 1 days` without a gap or an overlap; one opening at `48h` follows one closing at
    /// `48h`.
    pub fn opens_after(self, from: NaiveDateTime, calendar: &WorkCalendar) -> NaiveDateTime {
        datetime(self.opens_secs(secs(from), calendar))
    }

    /// [`Offset::closes_after`] on [`LocalSecs`], the engine's working unit.
    pub(crate) fn closes_secs(self, from: LocalSecs, calendar: &WorkCalendar) -> LocalSecs {
        match self.unit {
            OffsetUnit::Hours => from + i64::from(self.amount) * 3600,
            _ => (self.day_reached(day_of(from), calendar).0 + 1) * DAY,
        }
    }

    /// [`Offset::opens_after`] on [`LocalSecs`].
    pub(crate) fn opens_secs(self, from: LocalSecs, calendar: &WorkCalendar) -> LocalSecs {
        if self.amount == 0 || self.unit == OffsetUnit::Hours {
            return from + i64::from(self.amount) * 3600;
        }
        (self.day_reached(day_of(from), calendar).0 * DAY).max(from)
    }

    /// The day (since 1970-01-01) this offset in days, weeks, months or working days reaches
    /// from `day`, and whether it counted working days through a year whose holidays the
    /// calendar does not know (there only weekends are days off, so the day may be early).
    /// Hours count as whole days here; callers use them only through [`Offset::closes_secs`].
    pub(crate) fn day_reached(self, day: i64, calendar: &WorkCalendar) -> (i64, bool) {
        let n = i64::from(self.amount);
        match self.unit {
            OffsetUnit::Hours => (day + n.div_euclid(24), false),
            OffsetUnit::Days => (day + n, false),
            OffsetUnit::Weeks => (day + 7 * n, false),
            OffsetUnit::Months => (day_number(add_months(date(day), self.amount)), false),
            OffsetUnit::WorkingDays => {
                let from = date(day);
                let to = calendar.add_working_days(from, self.amount);
                (day_number(to), !calendar.covers(from, to))
            }
        }
    }

    /// This offset's length in seconds, for the units of fixed length (hours, days, weeks).
    pub(crate) fn fixed_secs(self) -> Option<i64> {
        let n = i64::from(self.amount);
        match self.unit {
            OffsetUnit::Hours => Some(n * 3600),
            OffsetUnit::Days => Some(n * DAY),
            OffsetUnit::Weeks => Some(n * 7 * DAY),
            OffsetUnit::Months | OffsetUnit::WorkingDays => None,
        }
    }

    /// Whether [`Offset::day_reached`] needs calendar arithmetic (months, working days):
    /// worth remembering per day.
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
