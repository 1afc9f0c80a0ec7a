//! CSV text as spreadsheets write it (RFC 4180): fields separated by commas, quoted with `"`
//! when they hold a comma, a quote (doubled) or a line break; lines ended by CRLF or LF; an
//! optional byte-order mark. A hand parser of a few dozen lines: the `csv` crate's reader
//! weighs several times more in the browser bundle, for features an import does not use.

/// One record (a spreadsheet row) of a CSV text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvRecord {
    /// Its row number as a spreadsheet shows it: the first record is row 1, and a record
    /// whose quoted field holds line breaks is still one row.
    pub row: usize,
    /// Its fields, each trimmed of surrounding spaces.
    pub fields: Vec<String>,
}

/// A CSV text that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("row {row}: a quoted field is never closed")]
pub struct CsvError {
    /// The row (record) where the open quote starts.
    pub row: usize,
}

/// The records of `text`, blank rows left out (their row numbers still count, so the numbers
/// match the spreadsheet's). A row of empty fields only (`,,,`) is blank.
///
/// A quote inside an unquoted field, or text after a closing quote, is kept as written, as
/// spreadsheets do; only a quote never closed is an error, as everything after it would be
/// one field.
pub fn records(text: &str) -> Result<Vec<CsvRecord>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut row = 1;
    let mut quoted = false;
    let mut quote_row = 0;
    let mut chars = text.chars().peekable();
    let mut end_record = |fields: &mut Vec<String>, field: &mut String, row: usize| {
        fields.push(std::mem::take(field).trim().to_string());
        if fields.iter().any(|f| !f.is_empty()) {
            out.push(CsvRecord {
                row,
                fields: std::mem::take(fields),
            });
        } else {
            fields.clear();
        }
    };
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.trim().is_empty() => {
                field.clear();
                quoted = true;
                quote_row = row;
            }
            ',' => fields.push(std::mem::take(&mut field).trim().to_string()),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                end_record(&mut fields, &mut field, row);
                row += 1;
            }
            c => field.push(c),
        }
    }
    if quoted {
        return Err(CsvError { row: quote_row });
    }
    if !field.is_empty() || !fields.is_empty() {
        end_record(&mut fields, &mut field, row);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each record as its row number and fields.
    fn check(text: &str, expected: &[(usize, &[&str])]) {
        let got = records(text).expect("readable");
        let got: Vec<(usize, Vec<&str>)> = got
            .iter()
            .map(|r| (r.row, r.fields.iter().map(String::as_str).collect()))
            .collect();
        let expected: Vec<(usize, Vec<&str>)> =
            expected.iter().map(|(r, f)| (*r, f.to_vec())).collect();
        assert_eq!(got, expected, "{text:?}");
    }

    #[test]
    fn plain_fields_are_split_at_commas_and_trimmed() {
        check(
            "a,b , c\n1,2,3\n",
            &[(1, &["a", "b", "c"]), (2, &["1", "2", "3"])],
        );
    }

    #[test]
    fn quoted_fields_hold_commas_quotes_and_line_breaks() {
        check(
            "name,address\n\"王, 小明\",\"上海市\n浦东新区 \"\"张杨路\"\"1号\"\nnext,row\n",
            &[
                (1, &["name", "address"]),
                (2, &["王, 小明", "上海市\n浦东新区 \"张杨路\"1号"]),
                (3, &["next", "row"]),
            ],
        );
    }

    #[test]
    fn a_byte_order_mark_and_crlf_line_ends_are_read_away() {
        check(
            "\u{feff}姓名,电话\r\n张伟,138\r\n",
            &[(1, &["姓名", "电话"]), (2, &["张伟", "138"])],
        );
    }

    #[test]
    fn empty_and_blank_rows_are_skipped_and_still_counted() {
        check(
            "a,b\n\n,,\r\n1,2\n\n\n",
            &[(1, &["a", "b"]), (4, &["1", "2"])],
        );
    }

    #[test]
    fn the_last_record_needs_no_line_end_and_may_end_with_an_empty_field() {
        check("a,b\n1,", &[(1, &["a", "b"]), (2, &["1", ""])]);
        check("a,\"b\"", &[(1, &["a", "b"])]);
    }

    #[test]
    fn a_quoted_empty_field_and_a_quoted_field_at_a_line_end() {
        check("\"\",x,\"y\"\r\nz", &[(1, &["", "x", "y"]), (2, &["z"])]);
    }

    #[test]
    fn stray_quotes_are_kept_as_written() {
        check("5\"3,a\"b\"\n", &[(1, &["5\"3", "a\"b\""])]);
        check("\"ab\"c,d\n", &[(1, &["abc", "d"])]);
    }

    #[test]
    fn a_quote_never_closed_is_an_error_at_its_row() {
        assert_eq!(records("a,b\n1,2\n\"3,4\n5,6\n"), Err(CsvError { row: 3 }));
    }

    #[test]
    fn an_empty_text_has_no_records() {
        check("", &[]);
        check("\u{feff}\r\n\n", &[]);
    }
}
