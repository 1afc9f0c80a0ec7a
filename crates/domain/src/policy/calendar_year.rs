//! One year of the working-day calendar as an administrator enters it at the desk (一年的放假
//!与调休上班安排), once the State Council publishes it: dates and ranges pasted as text, read
//! and checked here so the desk and the server say the same, and written back in the same form.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::calendar::{CalendarSpec, WorkCalendar};
use crate::time::{date_text, parse_date};

/// The years an administrator may enter: from 2000 (the working-day calendar of today's
/// public holidays dates from 1999/2008) to the last year the app reads dates in.
pub fn plausible_year(year: i32) -> bool {
    (2000..=crate::time::LAST_YEAR).contains(&year)
}

/// The longest range one entry may span: the longest official holiday is nine days; a range
/// longer than a month is a typo (`2027-02-06~2027-12-12`), not a holiday.
pub const MAX_RANGE_DAYS: i64 = 31;

/// Which list of a year a problem is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayList {
    /// 放假: days off, weekdays or not.
    Holidays,
    /// 调休上班: weekend days worked.
    MakeUpWorkingDays,
}

/// Why a year's entry cannot be used. 节假日录入错误
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum CalendarYearProblem {
    /// The year is not one the app reads dates in.
    Year,
    /// Neither a date (`2027-01-01`) nor a range (`2027-02-06~2027-02-12`): the text as written.
    NotADate {
        /// The list it is in.
        list: DayList,
        /// The piece of text.
        text: String,
    },
    /// A range that ends before it starts, or spans more than [`MAX_RANGE_DAYS`].
    BadRange {
        /// The list it is in.
        list: DayList,
        /// The range as written.
        text: String,
    },
    /// A date of another year than the one entered.
    OtherYear {
        /// The list it is in.
        list: DayList,
        /// The date.
        #[serde(with = "crate::time::serde_as::date")]
        date: NaiveDate,
    },
    /// No holiday at all: every official year has some, so the list was left empty by mistake.
    NoHolidays,
    /// A day listed as both a holiday and a make-up working day.
    Both {
        /// The day.
        #[serde(with = "crate::time::serde_as::date")]
        date: NaiveDate,
    },
    /// A make-up working day on a weekday: 调休上班 is always a Saturday or a Sunday.
    WeekdayMakeUp {
        /// The day.
        #[serde(with = "crate::time::serde_as::date")]
        date: NaiveDate,
    },
}

/// The separators between entries: commas and semicolons (ASCII and full-width), the 顿号,
/// and any white space (new lines included).
fn separator(c: char) -> bool {
    matches!(c, ',' | '，' | '、' | ';' | '；') || c.is_whitespace()
}

/// Reads a list of days as written: dates (`2027-01-01`) and ranges of dates, both days
/// included (`2027-02-06~2027-02-12`, also with `～`, `..`, `至` or `到`, spaces allowed around
/// them), separated by commas, 、, semicolons, spaces or new lines. Each day once, in order.
pub fn parse_days(list: DayList, text: &str) -> Result<Vec<NaiveDate>, CalendarYearProblem> {
    // One spelling of a range, then no space around it, so splitting keeps a range whole.
    let chars: Vec<char> = text
        .replace(['～', '至', '到'], "~")
        .replace("..", "~")
        .chars()
        .collect();
    // Whether the next character that is not a space is `~`, from the back, in one pass.
    let mut tilde_next = vec![false; chars.len() + 1];
    for i in (0..chars.len()).rev() {
        tilde_next[i] = if chars[i].is_whitespace() {
            tilde_next[i + 1]
        } else {
            chars[i] == '~'
        };
    }
    let mut joined = String::with_capacity(chars.len());
    let mut after_tilde = false;
    for (i, &c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            if after_tilde || tilde_next[i] {
                continue;
            }
        } else {
            after_tilde = c == '~';
        }
        joined.push(c);
    }
    let mut days = std::collections::BTreeSet::new();
    for piece in joined.split(separator).filter(|p| !p.is_empty()) {
        let not_a_date = || CalendarYearProblem::NotADate {
            list,
            text: piece.to_owned(),
        };
        match piece.split_once('~') {
            None => {
                days.insert(parse_date(piece).ok_or_else(not_a_date)?);
            }
            Some((from, to)) => {
                let (from, to) = parse_date(from)
                    .zip(parse_date(to))
                    .ok_or_else(not_a_date)?;
                let span = (to - from).num_days();
                if !(0..MAX_RANGE_DAYS).contains(&span) {
                    return Err(CalendarYearProblem::BadRange {
                        list,
                        text: piece.to_owned(),
                    });
                }
                days.extend(from.iter_days().take(span as usize + 1));
            }
        }
    }
    Ok(days.into_iter().collect())
}

/// Writes days as [`parse_days`] reads them: runs of consecutive days as ranges
/// (`2027-02-06~2027-02-12`), the rest as dates, separated by `, `.
pub fn days_text(days: &[NaiveDate]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < days.len() {
        let mut j = i;
        while j + 1 < days.len() && days[j].succ_opt() == Some(days[j + 1]) {
            j += 1;
        }
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str(&date_text(days[i]));
        if j > i {
            out.push('~');
            out.push_str(&date_text(days[j]));
        }
        i = j + 1;
    }
    out
}

/// Reads and checks one year as entered (its holidays and its make-up working days, as
/// text): a calendar of that year alone, which [`WorkCalendar::with_years_of`] puts in place
/// of what another calendar knew of the year.
pub fn year_entry(
    year: i32,
    holidays: &str,
    make_up_working_days: &str,
) -> Result<WorkCalendar, CalendarYearProblem> {
    if !plausible_year(year) {
        return Err(CalendarYearProblem::Year);
    }
    let holidays = parse_days(DayList::Holidays, holidays)?;
    let make_up = parse_days(DayList::MakeUpWorkingDays, make_up_working_days)?;
    for (list, days) in [
        (DayList::Holidays, &holidays),
        (DayList::MakeUpWorkingDays, &make_up),
    ] {
        if let Some(date) = days.iter().find(|d| d.year() != year) {
            return Err(CalendarYearProblem::OtherYear { list, date: *date });
        }
    }
    if holidays.is_empty() {
        return Err(CalendarYearProblem::NoHolidays);
    }
    if let Some(date) = make_up
        .iter()
        .find(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
    {
        return Err(CalendarYearProblem::WeekdayMakeUp { date: *date });
    }
    if let Some(date) = make_up.iter().find(|d| holidays.contains(d)) {
        return Err(CalendarYearProblem::Both { date: *date });
    }
    WorkCalendar::from_spec(CalendarSpec {
        years: vec![year],
        holidays,
        make_up_working_days: make_up,
    })
    .map_err(|_| CalendarYearProblem::Year)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use proptest::prelude::*;

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn dates_and_ranges_are_read_however_they_are_separated() {
        let days = parse_days(
            DayList::Holidays,
            "2027-01-01，2027-02-06 至 2027-02-08、2027-04-05;\n2027-05-01..2027-05-02  2027-10-01 ~ 2027-10-02\t2027-10-03～2027-10-03",
        )
        .unwrap();
        let expected: Vec<NaiveDate> = [
            "2027-01-01",
            "2027-02-06",
            "2027-02-07",
            "2027-02-08",
            "2027-04-05",
            "2027-05-01",
            "2027-05-02",
            "2027-10-01",
            "2027-10-02",
            "2027-10-03",
        ]
        .map(d)
        .to_vec();
        assert_eq!(days, expected);
        assert_eq!(parse_days(DayList::Holidays, " \n "), Ok(vec![]));
        assert_eq!(
            days_text(&days),
            "2027-01-01, 2027-02-06~2027-02-08, 2027-04-05, 2027-05-01~2027-05-02, 2027-10-01~2027-10-03"
        );
    }

    #[test]
    fn bad_entries_are_named_with_their_list_and_text() {
        let m = DayList::MakeUpWorkingDays;
        let h = DayList::Holidays;
        let not = |list, text: &str| CalendarYearProblem::NotADate {
            list,
            text: text.into(),
        };
        for (year, holidays, make_up, problem) in [
            (1999, "1999-01-01", "", CalendarYearProblem::Year),
            (2027, "2027-1-1", "", not(h, "2027-1-1")),
            (2027, "2027-02-30", "", not(h, "2027-02-30")),
            (2027, "2027-01-01", "周六", not(m, "周六")),
            (2027, "2027-02-06~", "", not(h, "2027-02-06~")),
            (
                2027,
                "2027-02-12~2027-02-06",
                "",
                CalendarYearProblem::BadRange {
                    list: h,
                    text: "2027-02-12~2027-02-06".into(),
                },
            ),
            (
                2027,
                "2027-02-06至2027-12-12",
                "",
                CalendarYearProblem::BadRange {
                    list: h,
                    text: "2027-02-06~2027-12-12".into(),
                },
            ),
            (
                2027,
                "2026-12-31, 2027-01-01",
                "",
                CalendarYearProblem::OtherYear {
                    list: h,
                    date: d("2026-12-31"),
                },
            ),
            (2027, "", "2027-02-20", CalendarYearProblem::NoHolidays),
            (
                2027,
                "2027-01-01",
                "2027-02-19",
                CalendarYearProblem::WeekdayMakeUp {
                    date: d("2027-02-19"),
                },
            ),
            (
                2027,
                "2027-02-06~2027-02-12",
                "2027-02-06",
                CalendarYearProblem::Both {
                    date: d("2027-02-06"),
                },
            ),
        ] {
            assert_eq!(
                year_entry(year, holidays, make_up).err(),
                Some(problem),
                "{year} {holidays:?} {make_up:?}"
            );
        }
    }

    /// An entered year replaces what a calendar knew of that year, day by day, and only it.
    #[cfg(feature = "toml")]
    #[test]
    fn an_entered_year_replaces_that_year_only() {
        let china = WorkCalendar::china();
        let y2027 = year_entry(2027, "2027-01-01, 2027-02-06~2027-02-12", "2027-02-20").unwrap();
        let with = china.clone().with_years_of(&y2027);
        assert_eq!(with.years().collect::<Vec<_>>(), [2025, 2026, 2027]);
        assert!(!with.is_working_day(d("2027-01-01")));
        assert!(!with.is_working_day(d("2027-02-08")));
        assert!(with.is_working_day(d("2027-02-20")));
        assert!(with.is_working_day(d("2027-02-13") + chrono::Days::new(2)));
        // 2026 untouched.
        assert!(!with.is_working_day(d("2026-10-01")));
        assert!(with.is_working_day(d("2026-10-10")));
        // Entering 2026 again replaces the whole year: its old holidays are gone.
        let y2026 = year_entry(2026, "2026-01-01", "").unwrap();
        let replaced = with.with_years_of(&y2026);
        assert!(!replaced.is_working_day(d("2026-01-01")));
        assert!(replaced.is_working_day(d("2026-10-08")));
        assert!(
            !replaced.is_working_day(d("2026-10-10")),
            "a Saturday again"
        );
        assert!(!replaced.is_working_day(d("2027-02-08")), "2027 kept");
        assert_eq!(replaced.years().collect::<Vec<_>>(), [2025, 2026, 2027]);
    }

    proptest! {
        /// Whatever days are written, reading the text back gives them again.
        #[test]
        fn days_text_reads_back(offsets in proptest::collection::btree_set(0u64..365, 0..40)) {
            let start = d("2027-01-01");
            let days: Vec<NaiveDate> = offsets.iter().map(|n| start + chrono::Days::new(*n)).collect();
            prop_assert_eq!(parse_days(DayList::Holidays, &days_text(&days)), Ok(days));
        }
    }
}
