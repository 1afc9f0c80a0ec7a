//! Explanations a person can read (回访依据说明), in zh-CN and en.

use std::str::FromStr;

use super::agenda::AgendaEntry;

/// Language of explanations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// 简体中文
    Zh,
    /// English
    En,
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Lang, String> {
        match s {
            "zh" | "zh-CN" => Ok(Lang::Zh),
            "en" => Ok(Lang::En),
            other => Err(format!("unknown language {other:?} (zh or en)")),
        }
    }
}

impl AgendaEntry<'_> {
    /// Why this item exists, e.g. "repair completed 2026-07-20 16:00 + 48 h, rule 维修回访-48h,
    /// policy 设备售后 (000 §P)".
    pub fn explain(&self, lang: Lang) -> String {
        let b = self.because();
        let at = crate::time::minute_text(b.at);
        let nth = b.occurrence;
        match lang {
            Lang::Zh => {
                let start = match (b.trigger, b.after_rule) {
                    (Some(t), _) => t.zh().to_string(),
                    (None, Some(r)) => format!("上次回访（{r}）"),
                    (None, None) => String::new(),
                };
                let mut rep = if nth > 0 {
                    format!("（第{}次重复）", nth)
                } else {
                    String::new()
                };
                if self.rescheduled {
                    rep += "（已改约）";
                }
                format!(
                    "{start} {at} + {}{rep}，规则 {}，政策 {}（{}）",
                    b.offset.zh(),
                    self.rule(),
                    self.policy(),
                    self.source()
                )
            }
            Lang::En => {
                let start = match (b.trigger, b.after_rule) {
                    (Some(t), _) => t.en().to_string(),
                    (None, Some(r)) => format!("previous visit ({r})"),
                    (None, None) => String::new(),
                };
                let mut rep = if nth > 0 {
                    format!(" (repeat {nth})")
                } else {
                    String::new()
                };
                if self.rescheduled {
                    rep += " (rescheduled)";
                }
                format!(
                    "{start} {at} + {}{rep}, rule {}, policy {} ({})",
                    b.offset,
                    self.rule(),
                    self.policy(),
                    self.source()
                )
            }
        }
    }
}
