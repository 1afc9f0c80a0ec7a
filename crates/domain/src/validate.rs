//! Checks every record shares: text fields (length, no control characters), phone numbers,
//! plausible dates. Each names the field and the problem, so a form can show it beside the
//! field and the server can say what it refused.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    edit::EditError,
    time::{FIRST_YEAR, LAST_YEAR, plausible_date, plausible_instant},
};

/// Longest one-line text (a name, a phone, a product), in characters.
pub const SHORT_TEXT: usize = 100;
/// Longest address, in characters.
pub const ADDRESS_TEXT: usize = 200;
/// Longest free text (a description, a note, a cause), in characters.
pub const LONG_TEXT: usize = 4_000;

/// A one-line text: at most `max` characters, no control characters, not blank when `required`.
pub fn line(field: &'static str, value: &str, max: usize, required: bool) -> Result<(), EditError> {
    text(field, value, max, required, false)
}

/// A multi-line text: like [`line`], but line breaks and tabs are allowed.
pub fn paragraph(
    field: &'static str,
    value: &str,
    max: usize,
    required: bool,
) -> Result<(), EditError> {
    text(field, value, max, required, true)
}

fn text(
    field: &'static str,
    value: &str,
    max: usize,
    required: bool,
    multiline: bool,
) -> Result<(), EditError> {
    if required && value.trim().is_empty() {
        return Err(EditError::invalid(field, "is empty"));
    }
    let chars = value.chars().count();
    if chars > max {
        return Err(EditError::invalid(
            field,
            format!("is {chars} characters long; at most {max} are allowed"),
        ));
    }
    let allowed = |c: char| multiline && (c == '\n' || c == '\r' || c == '\t');
    if value.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(EditError::invalid(field, "contains control characters"));
    }
    Ok(())
}

/// A phone number as people write them in China: a mobile (`13812345678`, `+86 138 1234
/// 5678`) or a landline with its area code (`021-12345678`, `0755 1234 5678-801`): digits,
/// spaces, hyphens and a leading `+`, 7 to 20 digits.
pub fn phone(field: &'static str, value: &str) -> Result<(), EditError> {
    let value = value.trim();
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let well_formed = value
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || c == ' ' || c == '-' || (c == '+' && i == 0));
    if !well_formed || !(7..=20).contains(&digits) {
        return Err(EditError::invalid(
            field,
            "is not a phone number (7 to 20 digits, spaces, hyphens and a leading +)",
        ));
    }
    Ok(())
}

/// A date in the plausible years.
pub fn date(field: &'static str, value: NaiveDate) -> Result<(), EditError> {
    if plausible_date(value) {
        Ok(())
    } else {
        Err(EditError::invalid(
            field,
            format!("is not between {FIRST_YEAR} and {LAST_YEAR}"),
        ))
    }
}

/// An instant in the plausible years.
pub fn instant(field: &'static str, value: DateTime<Utc>) -> Result<(), EditError> {
    if plausible_instant(value) {
        Ok(())
    } else {
        Err(EditError::invalid(
            field,
            format!("is not between {FIRST_YEAR} and {LAST_YEAR}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_as_people_write_them_pass_and_others_do_not() {
        for ok in [
            "13812345678",
            "+86 138 1234 5678",
            "021-12345678",
            "0755 1234 5678-801",
            "1234567",
        ] {
            assert_eq!(phone("phone", ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "123456",
            "call me",
            "138-1234-567x",
            "1+3812345678",
            "123456789012345678901",
            "１３８１２３４５６７８",
        ] {
            assert!(phone("phone", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn texts_are_bounded_and_free_of_control_characters() {
        assert_eq!(line("name", "王伟", 2, true), Ok(()));
        assert!(line("name", "王伟伟", 2, true).is_err());
        assert!(line("name", "  ", 10, true).is_err());
        assert_eq!(line("name", "", 10, false), Ok(()));
        assert!(line("name", "a\nb", 10, false).is_err());
        assert_eq!(paragraph("notes", "a\r\nb\tc", 10, false), Ok(()));
        assert!(paragraph("notes", "a\u{0}b", 10, false).is_err());
        assert_eq!(
            line("name", "王伟伟", 2, true),
            Err(EditError::invalid(
                "name",
                "is 3 characters long; at most 2 are allowed"
            ))
        );
    }
}
