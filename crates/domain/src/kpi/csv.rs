//! KPI reports as CSV that Excel in China opens correctly: UTF-8 with a byte-order mark
//! (without it Excel reads the bytes as GBK and shows mojibake), Chinese headers, CRLF line
//! ends and every field quoted (RFC 4180), so commas, quotes and line breaks in names survive.

use super::{Cut, KpiFigure};

/// The byte-order mark Excel needs to read UTF-8.
pub const BOM: char = '\u{feff}';

/// The header row of [`report_csv`].
pub const REPORT_HEADER: [&str; 13] = [
    "机构",
    "统计周期",
    "统计范围",
    "名称",
    "指标",
    "统计单位",
    "分子",
    "分母",
    "数值",
    "目标",
    "状态",
    "依据",
    "生成时间",
];

/// Rows as CSV text: the BOM, then each row's fields quoted (a `"` doubled), joined by
/// commas, each row ended by CRLF.
pub fn to_csv<R, F>(rows: impl IntoIterator<Item = R>) -> String
where
    R: IntoIterator<Item = F>,
    F: AsRef<str>,
{
    let mut out = String::new();
    out.push(BOM);
    for row in rows {
        for (i, field) in row.into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(&field.as_ref().replace('"', "\"\""));
            out.push('"');
        }
        out.push_str("\r\n");
    }
    out
}

/// What a report is of: the organisation, the period's name and when it was made.
#[derive(Clone, Copy, Debug)]
pub struct ReportHead<'a> {
    /// The organisation's name.
    pub organisation: &'a str,
    /// The period, as the report names it (`2026年11月`).
    pub period: &'a str,
    /// When the report was made (`2026-11-30 18:00`).
    pub made_at: &'a str,
}

/// One row per KPI and cut (each cut with its name: the organisation's, a team's, a
/// technician's), under [`REPORT_HEADER`].
pub fn report_csv(head: ReportHead<'_>, figures: &[KpiFigure], cuts: &[(Cut<'_>, &str)]) -> String {
    let mut rows: Vec<Vec<String>> = vec![REPORT_HEADER.iter().map(|h| h.to_string()).collect()];
    for (cut, name) in cuts {
        for f in figures {
            let rate = f.rate_in(cut);
            rows.push(vec![
                head.organisation.to_string(),
                head.period.to_string(),
                cut.zh().to_string(),
                name.to_string(),
                f.kpi.zh().to_string(),
                f.kpi.unit().zh().to_string(),
                rate.numerator.to_string(),
                rate.denominator.to_string(),
                f.kpi.format(rate),
                f.target.map(|t| f.kpi.format_target(t)).unwrap_or_default(),
                f.status(rate).map_or("", |s| s.zh()).to_string(),
                f.kpi.source().to_string(),
                head.made_at.to_string(),
            ]);
        }
    }
    to_csv(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::{Kpi, Rate};

    #[test]
    fn fields_are_quoted_rows_end_in_crlf_and_the_text_starts_with_a_bom() {
        let text = to_csv([["甲", "a,b"], ["say \"hi\"", "two\nlines"]]);
        assert!(text.starts_with('\u{feff}'));
        assert_eq!(text.as_bytes()[..3], [0xEF, 0xBB, 0xBF]);
        assert_eq!(
            &text['\u{feff}'.len_utf8()..],
            "\"甲\",\"a,b\"\r\n\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
        );
    }

    #[test]
    fn a_report_has_the_chinese_header_then_a_row_per_kpi_and_cut() {
        let tech = crate::ids::UserId(uuid::Uuid::from_u128(7));
        let counted = |hit, technician| crate::kpi::Counted {
            customer: crate::ids::CustomerId(uuid::Uuid::from_u128(1)),
            technician,
            on: "2026-11-03".parse().unwrap(),
            record: crate::kpi::Record::Customer {
                due: 1,
                done: u32::from(hit),
            },
            hit,
            weight: 1,
        };
        let other = crate::ids::UserId(uuid::Uuid::from_u128(8));
        let figures = [KpiFigure {
            kpi: Kpi::VisitCompletion,
            counted: vec![
                counted(true, tech),
                counted(false, other),
                counted(true, tech),
            ],
            target: Some(1000),
        }];
        let head = ReportHead {
            organisation: "演示公司, 华东",
            period: "2026年11月",
            made_at: "2026-11-30 18:00",
        };
        let text = report_csv(
            head,
            &figures,
            &[
                (Cut::Organisation, "全机构"),
                (Cut::Technician(tech), "张三"),
            ],
        );
        let lines: Vec<&str> = text.trim_start_matches(BOM).split("\r\n").collect();
        assert_eq!(
            lines[0],
            "\"机构\",\"统计周期\",\"统计范围\",\"名称\",\"指标\",\"统计单位\",\"分子\",\"分母\",\"数值\",\"目标\",\"状态\",\"依据\",\"生成时间\""
        );
        assert_eq!(
            lines[1],
            "\"演示公司, 华东\",\"2026年11月\",\"全机构\",\"全机构\",\"回访完成率\",\"客户\",\"2\",\"3\",\"66.7%\",\"100%\",\"未达标\",\"004 §七\",\"2026-11-30 18:00\""
        );
        assert!(lines[2].contains(
            "\"技术员\",\"张三\",\"回访完成率\",\"客户\",\"2\",\"2\",\"100.0%\",\"100%\",\"达标\""
        ));
        assert_eq!(lines.len(), 4, "two rows, a header and the empty end");
        assert_eq!(
            figures[0].rate(),
            Rate {
                numerator: 2,
                denominator: 3
            }
        );
    }
}
