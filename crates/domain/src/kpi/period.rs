//! The period a report covers (统计周期): a day, an ISO week (Monday to Sunday), a month, a
//! quarter or any range of days, in China's local dates, with the one before and after it.

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::time::date_text;

/// What kind of period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PeriodKind {
    /// 日
    Day,
    /// 周 (Monday to Sunday)
    Week,
    /// 月
    Month,
    /// 季度
    Quarter,
    /// 自定义 (first to last day, both included)
    Range,
}

impl PeriodKind {
    /// Every kind, in the order a picker lists them.
    pub const ALL: [PeriodKind; 5] = [
        PeriodKind::Day,
        PeriodKind::Week,
        PeriodKind::Month,
        PeriodKind::Quarter,
        PeriodKind::Range,
    ];
}

/// A span of whole days, `first..=last`. 统计周期
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Period {
    kind: PeriodKind,
    first: NaiveDate,
    last: NaiveDate,
}

impl Period {
    /// The period of `kind` that holds `date` (for `Range`, that one day).
    pub fn of(kind: PeriodKind, date: NaiveDate) -> Period {
        let (first, last) = match kind {
            PeriodKind::Day | PeriodKind::Range => (date, date),
            PeriodKind::Week => {
                let monday = date - Days::new(u64::from(date.weekday().num_days_from_monday()));
                (monday, monday + Days::new(6))
            }
            PeriodKind::Month => {
                let first = date.with_day(1).unwrap_or(date);
                (first, month_end(first))
            }
            PeriodKind::Quarter => {
                let month = (date.month0() / 3) * 3 + 1;
                let first = NaiveDate::from_ymd_opt(date.year(), month, 1).unwrap_or(date);
                (first, month_end(first + Months::new(2)))
            }
        };
        Period { kind, first, last }
    }

    /// The days `first..=last`, in either order.
    pub fn range(a: NaiveDate, b: NaiveDate) -> Period {
        Period {
            kind: PeriodKind::Range,
            first: a.min(b),
            last: a.max(b),
        }
    }

    /// Its kind.
    pub fn kind(self) -> PeriodKind {
        self.kind
    }

    /// Its first day.
    pub fn first(self) -> NaiveDate {
        self.first
    }

    /// Its last day (included).
    pub fn last(self) -> NaiveDate {
        self.last
    }

    /// How many days it spans.
    pub fn days(self) -> u64 {
        (self.last - self.first).num_days() as u64 + 1
    }

    /// Whether `date` falls in it.
    pub fn contains(self, date: NaiveDate) -> bool {
        self.first <= date && date <= self.last
    }

    /// The period of the same kind just before (a range: as many days, ending the day before).
    pub fn previous(self) -> Period {
        match self.kind {
            PeriodKind::Range => {
                let last = self.first - Days::new(1);
                Period::range(last - Days::new(self.days() - 1), last)
            }
            kind => Period::of(kind, self.first - Days::new(1)),
        }
    }

    /// The period of the same kind just after.
    pub fn next(self) -> Period {
        match self.kind {
            PeriodKind::Range => {
                let first = self.last + Days::new(1);
                Period::range(first, first + Days::new(self.days() - 1))
            }
            kind => Period::of(kind, self.last + Days::new(1)),
        }
    }

    /// The `n` periods ending with this one, oldest first (a trend).
    pub fn last_n(self, n: usize) -> Vec<Period> {
        let mut all = Vec::with_capacity(n);
        let mut p = self;
        for _ in 0..n {
            all.push(p);
            p = p.previous();
        }
        all.reverse();
        all
    }

    /// Its name in Chinese: `2026年11月22日`, `2026年第48周`, `2026年11月`, `2026年第4季度`,
    /// `2026-11-01 至 2026-11-15`.
    pub fn label_zh(self) -> String {
        let f = self.first;
        match self.kind {
            PeriodKind::Day => format!("{}年{}月{}日", f.year(), f.month(), f.day()),
            PeriodKind::Week => {
                let w = f.iso_week();
                format!(
                    "{}年第{}周（{} 至 {}）",
                    w.year(),
                    w.week(),
                    md(f),
                    md(self.last)
                )
            }
            PeriodKind::Month => format!("{}年{}月", f.year(), f.month()),
            PeriodKind::Quarter => format!("{}年第{}季度", f.year(), f.month0() / 3 + 1),
            PeriodKind::Range => format!("{} 至 {}", date_text(f), date_text(self.last)),
        }
    }

    /// Its name in English: `2026-11-22`, `Week 48 of 2026`, `2026-11`, `Q4 2026`,
    /// `2026-11-01 to 2026-11-15`.
    pub fn label_en(self) -> String {
        let f = self.first;
        match self.kind {
            PeriodKind::Day => date_text(f),
            PeriodKind::Week => {
                let w = f.iso_week();
                format!(
                    "Week {} of {} ({} to {})",
                    w.week(),
                    w.year(),
                    md(f),
                    md(self.last)
                )
            }
            PeriodKind::Month => format!("{}-{:02}", f.year(), f.month()),
            PeriodKind::Quarter => format!("Q{} {}", f.month0() / 3 + 1, f.year()),
            PeriodKind::Range => format!("{} to {}", date_text(f), date_text(self.last)),
        }
    }

    /// A short name for a trend's axis: `11-22`, `W48`, `2026-11`, `Q4`, the range's first day.
    pub fn short_label(self) -> String {
        let f = self.first;
        match self.kind {
            PeriodKind::Day | PeriodKind::Range => md(f),
            PeriodKind::Week => format!("W{}", f.iso_week().week()),
            PeriodKind::Month => format!("{}-{:02}", f.year() % 100, f.month()),
            PeriodKind::Quarter => format!("Q{}", f.month0() / 3 + 1),
        }
    }
}

fn month_end(first: NaiveDate) -> NaiveDate {
    first + Months::new(1) - Days::new(1)
}

fn md(d: NaiveDate) -> String {
    format!("{:02}-{:02}", d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn check(kind: PeriodKind, on: &str, first: &str, last: &str) {
        let p = Period::of(kind, d(on));
        assert_eq!(
            (p.first(), p.last()),
            (d(first), d(last)),
            "{kind:?} of {on}"
        );
        assert!(p.contains(d(first)) && p.contains(d(last)));
        assert!(!p.contains(d(first) - Days::new(1)) && !p.contains(d(last) + Days::new(1)));
        assert_eq!(p.previous().next(), p);
        assert_eq!(p.previous().last() + Days::new(1), p.first());
    }

    #[test]
    fn each_kind_covers_whole_days_and_its_neighbours_touch_it() {
        check(PeriodKind::Day, "2026-11-22", "2026-11-22", "2026-11-22");
        // 2026-11-22 is a Sunday: its week starts on Monday the 16th.
        check(PeriodKind::Week, "2026-11-22", "2026-11-16", "2026-11-22");
        // A week across two months and two years.
        check(PeriodKind::Week, "2026-12-31", "2026-12-28", "2027-01-03");
        check(PeriodKind::Month, "2026-11-22", "2026-11-01", "2026-11-30");
        check(PeriodKind::Month, "2028-02-10", "2028-02-01", "2028-02-29");
        check(
            PeriodKind::Quarter,
            "2026-11-22",
            "2026-10-01",
            "2026-12-31",
        );
        check(
            PeriodKind::Quarter,
            "2026-02-01",
            "2026-01-01",
            "2026-03-31",
        );
        assert_eq!(
            Period::of(PeriodKind::Month, d("2026-03-31")).previous(),
            Period::of(PeriodKind::Month, d("2026-02-01"))
        );
        assert_eq!(
            Period::of(PeriodKind::Quarter, d("2026-01-05"))
                .previous()
                .first(),
            d("2025-10-01")
        );
    }

    #[test]
    fn a_range_steps_by_its_own_length() {
        let r = Period::range(d("2026-11-15"), d("2026-11-01"));
        assert_eq!(
            (r.first(), r.last(), r.days()),
            (d("2026-11-01"), d("2026-11-15"), 15)
        );
        assert_eq!(
            r.previous(),
            Period::range(d("2026-10-17"), d("2026-10-31"))
        );
        assert_eq!(r.next(), Period::range(d("2026-11-16"), d("2026-11-30")));
    }

    #[test]
    fn labels_name_the_period_in_both_languages() {
        let on = d("2026-11-22");
        let label = |k| {
            let p = Period::of(k, on);
            (p.label_zh(), p.label_en(), p.short_label())
        };
        assert_eq!(
            label(PeriodKind::Day),
            ("2026年11月22日".into(), "2026-11-22".into(), "11-22".into())
        );
        assert_eq!(
            label(PeriodKind::Week),
            (
                "2026年第47周（11-16 至 11-22）".into(),
                "Week 47 of 2026 (11-16 to 11-22)".into(),
                "W47".into()
            )
        );
        assert_eq!(
            label(PeriodKind::Month),
            ("2026年11月".into(), "2026-11".into(), "26-11".into())
        );
        assert_eq!(
            label(PeriodKind::Quarter),
            ("2026年第4季度".into(), "Q4 2026".into(), "Q4".into())
        );
        assert_eq!(
            Period::range(on, d("2026-12-03")).label_zh(),
            "2026-11-22 至 2026-12-03"
        );
    }

    #[test]
    fn twelve_periods_end_with_this_one() {
        let months = Period::of(PeriodKind::Month, d("2026-11-22")).last_n(12);
        assert_eq!(months.len(), 12);
        assert_eq!(months[0].first(), d("2025-12-01"));
        assert_eq!(months[11].last(), d("2026-11-30"));
    }
}
