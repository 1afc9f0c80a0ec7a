//! Importing an organisation's customers from a CSV file (客户导入), all or nothing.
//!
//! The file is what a spreadsheet exports: UTF-8 (a byte-order mark is fine), a header row,
//! then one customer per row. Columns are found by their header, in Chinese or English, in
//! any order:
//!
//! | 姓名 / name | 电话 / phone | 地址 / address | 等级 / tier (VIP, 普通 / normal) | 产品 / product |
//! | 购买日期 / purchased_on | 安装日期 / installed_on | 维修日期 / repaired_on | 技术员 / technician |
//!
//! Dates are `2026-11-30` or `2026/11/30`; installation and repair dates may be empty. The
//! technician is a technician's login name in the organisation. A row naming a customer the
//! organisation already has (same name and phone) is skipped, so importing a file again adds
//! only what is new. If any row is wrong, nothing is imported and every problem is listed with
//! its row and column.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use revisit_domain::{Customer, CustomerId, Tier, UserId};
use uuid::Uuid;

use crate::{
    Db,
    admin::{self, TaskError},
    seed::insert_customer,
    store::{records, users},
};

/// What an import did.
#[derive(Debug, PartialEq, Eq)]
pub struct Imported {
    /// Customers created.
    pub created: usize,
    /// Rows skipped because the organisation already has that customer (same name and phone).
    pub already_there: usize,
}

/// Why an import did nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file or its rows are wrong; one line per problem, `row N, column: problem`.
    #[error("nothing was imported:\n{}", .0.join("\n"))]
    Rejected(Vec<String>),
    /// The organisation to import into is unknown or ambiguous, or the database failed.
    #[error(transparent)]
    Task(#[from] TaskError),
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Task(e.into())
    }
}

impl From<crate::error::Error> for ImportError {
    fn from(e: crate::error::Error) -> Self {
        ImportError::Task(e.into())
    }
}

/// The columns, by their header names (Chinese first).
const COLUMNS: [(&str, &str); 9] = [
    ("姓名", "name"),
    ("电话", "phone"),
    ("地址", "address"),
    ("等级", "tier"),
    ("产品", "product"),
    ("购买日期", "purchased_on"),
    ("安装日期", "installed_on"),
    ("维修日期", "repaired_on"),
    ("技术员", "technician"),
];
/// Columns a file may leave out.
const OPTIONAL: [&str; 2] = ["installed_on", "repaired_on"];

/// Imports the customers of `csv` into the organisation named `org` (or the only one), with
/// `today` (China date) as the latest date a row may carry.
pub async fn import_customers(
    db: &Db,
    org: Option<&str>,
    csv: &str,
    today: NaiveDate,
) -> Result<Imported, ImportError> {
    let org = admin::organisation(db, org).await?;
    let technicians: HashMap<String, UserId> =
        users::of_org(db, &mut *db.read.acquire().await?, &org.to_string())
            .await?
            .into_iter()
            .filter(|u| u.role == "technician" && u.active != 0)
            .filter_map(|u| Some((u.username, UserId(u.id.parse().ok()?))))
            .collect();
    let customers = parse(csv, &technicians, today).map_err(ImportError::Rejected)?;

    let mut tx = db.begin_write().await?;
    let mut known: HashSet<(String, String)> =
        records::all::<Customer>(db, &mut tx, &org.to_string(), false)
            .await?
            .into_iter()
            .map(|c| (c.name, c.phone))
            .collect();
    let mut imported = Imported {
        created: 0,
        already_there: 0,
    };
    for c in &customers {
        if known.insert((c.name.clone(), c.phone.clone())) {
            insert_customer(db, &mut tx, org, c).await?;
            imported.created += 1;
        } else {
            imported.already_there += 1;
        }
    }
    tx.commit().await?;
    Ok(imported)
}

/// The file's customers, or every problem found (row numbers count the header as row 1).
fn parse(
    csv: &str,
    technicians: &HashMap<String, UserId>,
    today: NaiveDate,
) -> Result<Vec<Customer>, Vec<String>> {
    let text = csv.strip_prefix('\u{feff}').unwrap_or(csv);
    let mut reader = ::csv::ReaderBuilder::new()
        .trim(::csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| vec![format!("row 1: {e}")])?
        .clone();
    // Column index by English name.
    let mut at: HashMap<&str, usize> = HashMap::new();
    let mut problems = Vec::new();
    for (n, header) in headers.iter().enumerate() {
        match COLUMNS
            .iter()
            .find(|(zh, en)| header == *zh || header.eq_ignore_ascii_case(en))
        {
            Some((_, en)) => {
                if at.insert(en, n).is_some() {
                    problems.push(format!("row 1: the column {header:?} appears twice"));
                }
            }
            None => problems.push(format!("row 1: unknown column {header:?}")),
        }
    }
    for (zh, en) in COLUMNS {
        if !at.contains_key(en) && !OPTIONAL.contains(&en) {
            problems.push(format!("row 1: the column {zh} ({en}) is missing"));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut customers = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let row = n + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("row {row}: {e}"));
                continue;
            }
        };
        let mut problem = |column: &str, what: String| {
            problems.push(format!("row {row}, {column}: {what}"));
        };
        let field = |en: &str| at.get(en).and_then(|&i| record.get(i)).unwrap_or("");
        let text = |en: &str, problem: &mut dyn FnMut(&str, String)| {
            let value = field(en);
            if value.is_empty() {
                problem(en, "empty".into());
            }
            value.to_string()
        };
        let date = |en: &str, problem: &mut dyn FnMut(&str, String)| -> Option<NaiveDate> {
            let value = field(en);
            if value.is_empty() {
                return None;
            }
            match parse_date(value) {
                Some(d) if d <= today => Some(d),
                Some(_) => {
                    problem(en, format!("{value} is in the future"));
                    None
                }
                None => {
                    problem(en, format!("{value:?} is not a date like 2026-11-30"));
                    None
                }
            }
        };
        let name = text("name", &mut problem);
        let phone = text("phone", &mut problem);
        if !phone.is_empty()
            && !phone
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'))
        {
            problem("phone", format!("{phone:?} is not a phone number"));
        }
        let address = text("address", &mut problem);
        let product = text("product", &mut problem);
        let tier = match field("tier").to_ascii_lowercase().as_str() {
            "vip" | "vip客户" => Some(Tier::Vip),
            "普通" | "普通客户" | "normal" => Some(Tier::Normal),
            other => {
                problem("tier", format!("{other:?} is neither VIP nor 普通"));
                None
            }
        };
        let purchased_on = date("purchased_on", &mut problem);
        if field("purchased_on").is_empty() {
            problem("purchased_on", "empty".into());
        }
        let installed_on = date("installed_on", &mut problem);
        let repaired_on = date("repaired_on", &mut problem);
        for (en, later) in [("installed_on", installed_on), ("repaired_on", repaired_on)] {
            if let (Some(bought), Some(later)) = (purchased_on, later)
                && later < bought
            {
                problem(en, format!("{later} is before the purchase ({bought})"));
            }
        }
        let technician = match technicians.get(field("technician")) {
            Some(id) => Some(*id),
            None => {
                problem(
                    "technician",
                    format!(
                        "{:?} is not a technician of the organisation",
                        field("technician")
                    ),
                );
                None
            }
        };
        if let (Some(tier), Some(purchased_on), Some(technician_id)) =
            (tier, purchased_on, technician)
        {
            customers.push(Customer {
                id: CustomerId(Uuid::now_v7()),
                name,
                phone,
                address,
                tier,
                product,
                purchased_on,
                installed_on,
                repaired_on,
                technician_id,
            });
        }
    }
    match problems.is_empty() {
        true => Ok(customers),
        false => Err(problems),
    }
}

/// `2026-11-30` or `2026/11/30` (also `2026/1/5`, as spreadsheets write it).
fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y/%m/%d"))
        .ok()
}
