//! Offsets from a trigger (时限): hours, calendar days, working days, weeks, months.

use chrono::{Days, Duration, Months, NaiveDateTime, NaiveTime};

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
        let t = text.trim().to_lowercase();
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
        let end_of = |d: chrono::NaiveDate| {
            d.and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("valid time"))
        };
        let date = from.date();
        match self.unit {
            OffsetUnit::Hours => from + Duration::hours(i64::from(self.amount)),
            OffsetUnit::Days => end_of(date + Days::new(u64::from(self.amount))),
            OffsetUnit::Weeks => end_of(date + Days::new(7 * u64::from(self.amount))),
            OffsetUnit::Months => end_of(
                date.checked_add_months(Months::new(self.amount))
                    .unwrap_or(chrono::NaiveDate::MAX),
            ),
            OffsetUnit::WorkingDays => end_of(calendar.add_working_days(date, self.amount)),
        }
    }

    /// The earliest instant of a window opening `self` after `from`: exact for hours,
    /// otherwise the start of the day reached (never before `from`).
    pub fn opening_after(self, from: NaiveDateTime, calendar: &WorkCalendar) -> NaiveDateTime {
        if self.amount == 0 || self.unit == OffsetUnit::Hours {
            return from + Duration::hours(i64::from(self.amount));
        }
        self.after(from, calendar)
            .date()
            .and_time(NaiveTime::MIN)
            .max(from)
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

impl std::fmt::Display for Offset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.unit {
            OffsetUnit::Hours => "h",
            OffsetUnit::Days => "days",
            OffsetUnit::WorkingDays => "working days",
            OffsetUnit::Weeks => "weeks",
            OffsetUnit::Months => "months",
        };
        write!(f, "{} {unit}", self.amount)
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
