//! Importing customers from a spreadsheet's CSV (客户导入), planned before anything is written:
//! each row becomes an addition, a change of a customer already there (field by field, old →
//! new), an unchanged customer, or problems named by row and column. The desk shows the plan
//! and applies it through the outbox; the server's `import-customers` task writes it directly.
//! Either applies all of it or nothing: a plan with a problem is not applied.
//!
//! Columns are found by their header, in Chinese or English, in any order:
//!
//! | 编号 / id (optional) | 姓名 / name | 电话 / phone | 地址 / address | 等级 / tier (VIP, 普通 / normal) |
//! | 产品 / product | 购买日期 / purchased_on | 安装日期 / installed_on (optional) |
//! | 维修日期 / repaired_on (optional) | 技术员 / technician |
//!
//! Dates are `2026-11-30` or `2026/11/30` (also `2026/1/5`, as spreadsheets write it), and no
//! later than today; installation and repair dates may be empty. The technician is an active
//! technician's login name or display name. A row is the customer already there with the same
//! id (when the file has ids), else with the same phone number (digits compared; with several,
//! the one of the same name), else with the same name and address (a new phone number).
//!
//! Installation and repair dates are fields of the customer, which the policy engine already
//! reads as lifecycle events, so an import records no separate events for them.

pub mod csv;

use chrono::NaiveDate;

use crate::{
    customer::{Customer, CustomerChange, Tier},
    edit::{Editable, FieldChange},
    ids::{CustomerId, UserId},
    time::plausible_date,
};

/// A column of an import file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    /// 编号: the customer's id, to change a customer by id (optional).
    Id,
    /// 姓名
    Name,
    /// 电话
    Phone,
    /// 地址
    Address,
    /// 等级
    Tier,
    /// 产品
    Product,
    /// 购买日期
    PurchasedOn,
    /// 安装日期 (optional)
    InstalledOn,
    /// 维修日期 (optional)
    RepairedOn,
    /// 技术员
    Technician,
}

impl Column {
    /// Every column, in the order a template lists them.
    pub const ALL: [Column; 10] = [
        Column::Id,
        Column::Name,
        Column::Phone,
        Column::Address,
        Column::Tier,
        Column::Product,
        Column::PurchasedOn,
        Column::InstalledOn,
        Column::RepairedOn,
        Column::Technician,
    ];

    /// Its English header, also the customer's field name on the wire.
    pub fn en(self) -> &'static str {
        match self {
            Column::Id => "id",
            Column::Name => "name",
            Column::Phone => "phone",
            Column::Address => "address",
            Column::Tier => "tier",
            Column::Product => "product",
            Column::PurchasedOn => "purchased_on",
            Column::InstalledOn => "installed_on",
            Column::RepairedOn => "repaired_on",
            Column::Technician => "technician",
        }
    }

    /// Its Chinese header.
    pub fn zh(self) -> &'static str {
        match self {
            Column::Id => "编号",
            Column::Name => "姓名",
            Column::Phone => "电话",
            Column::Address => "地址",
            Column::Tier => "等级",
            Column::Product => "产品",
            Column::PurchasedOn => "购买日期",
            Column::InstalledOn => "安装日期",
            Column::RepairedOn => "维修日期",
            Column::Technician => "技术员",
        }
    }

    /// Whether a file may leave it out.
    pub fn optional(self) -> bool {
        matches!(self, Column::Id | Column::InstalledOn | Column::RepairedOn)
    }

    /// The column headed `header` (Chinese, or English in any case).
    pub fn from_header(header: &str) -> Option<Column> {
        Column::ALL
            .into_iter()
            .find(|c| header == c.zh() || header.eq_ignore_ascii_case(c.en()))
    }

    /// The column of a customer's field (as [`FieldChange::field`] names it).
    pub fn of_field(field: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.en() == field)
    }
}

/// What is wrong in a file: the codes the desk shows in its language, and the server in
/// English ([`std::fmt::Display`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A quoted field is never closed: the file cannot be read from here on.
    UnclosedQuote,
    /// The file has no header row.
    NoHeader,
    /// A header names no known column.
    UnknownColumn(String),
    /// Two headers name the same column.
    TwiceColumn(String),
    /// A required column is missing.
    MissingColumn,
    /// A row has more fields than the header.
    ExtraFields(usize),
    /// A required cell is empty.
    Empty,
    /// Not a phone number.
    NotPhone(String),
    /// Not a date (or a date that does not exist, such as 2026-02-30).
    NotDate(String),
    /// A date after today.
    Future(NaiveDate),
    /// A date before the purchase.
    BeforePurchase(NaiveDate, NaiveDate),
    /// Not a tier.
    NotTier(String),
    /// Nobody among the organisation's active technicians has this login or name.
    UnknownTechnician(String),
    /// Two technicians have this name: use the login name.
    AmbiguousTechnician(String),
    /// No customer has this id.
    UnknownId(String),
    /// The same customer as an earlier row of the file.
    SameAsRow(usize),
    /// Several customers have this phone number and none has the row's name.
    AmbiguousPhone(String),
    /// A value the customer record refuses (too long, a date outside the plausible years).
    Invalid(String),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::UnclosedQuote => write!(f, "a quoted field is never closed"),
            Problem::NoHeader => write!(f, "the file has no header row"),
            Problem::UnknownColumn(h) => write!(f, "unknown column {h:?}"),
            Problem::TwiceColumn(h) => write!(f, "the column {h:?} appears twice"),
            Problem::MissingColumn => write!(f, "missing"),
            Problem::ExtraFields(n) => write!(f, "{n} fields more than the header"),
            Problem::Empty => write!(f, "empty"),
            Problem::NotPhone(v) => write!(f, "{v:?} is not a phone number"),
            Problem::NotDate(v) => write!(f, "{v:?} is not a date like 2026-11-30"),
            Problem::Future(d) => write!(f, "{d} is in the future"),
            Problem::BeforePurchase(d, bought) => {
                write!(f, "{d} is before the purchase ({bought})")
            }
            Problem::NotTier(v) => write!(f, "{v:?} is neither VIP nor 普通"),
            Problem::UnknownTechnician(v) => {
                write!(f, "{v:?} is not a technician of the organisation")
            }
            Problem::AmbiguousTechnician(v) => {
                write!(f, "{v:?} names several technicians: use the login name")
            }
            Problem::UnknownId(v) => write!(f, "no customer has the id {v:?}"),
            Problem::SameAsRow(r) => write!(f, "the same customer as row {r}"),
            Problem::AmbiguousPhone(v) => {
                write!(
                    f,
                    "several customers have the number {v:?}: add the id column"
                )
            }
            Problem::Invalid(why) => write!(f, "{why}"),
        }
    }
}

/// A problem and where it is: the row (the header is row 1) and, when it is one cell's, the
/// column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    /// Row number as the spreadsheet shows it.
    pub row: usize,
    /// The column, when the problem is one cell's.
    pub column: Option<Column>,
    /// What is wrong.
    pub problem: Problem,
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.column, &self.problem) {
            (Some(c), Problem::MissingColumn) => {
                write!(
                    f,
                    "row {}: the column {} ({}) is missing",
                    self.row,
                    c.zh(),
                    c.en()
                )
            }
            (Some(c), p) => write!(f, "row {}, {}: {p}", self.row, c.en()),
            (None, p) => write!(f, "row {}: {p}", self.row),
        }
    }
}

/// A technician a row may name. 技术员
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownTechnician {
    /// Their id.
    pub id: UserId,
    /// Their login name, when known (the server knows it; the desk's user cards do not).
    pub username: Option<String>,
    /// Their display name.
    pub name: String,
}

/// What applying a row does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowAction {
    /// A new customer. 新增
    Add(Customer),
    /// A customer already there, changed field by field. 更新
    Change {
        /// The customer as stored.
        before: Customer,
        /// The customer after the changes.
        after: Customer,
        /// The changes, one per changed field (old values are in `before`).
        changes: Vec<CustomerChange>,
    },
    /// A customer already there, exactly as in the file. 无变化
    Unchanged(Customer),
}

/// One row of the file, planned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedRow {
    /// Row number as the spreadsheet shows it.
    pub row: usize,
    /// What applying it does.
    pub action: RowAction,
}

/// The plan of an import: every row that can be read, and every problem. Only a plan
/// without problems is applied.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportPlan {
    /// The rows without problems, in file order.
    pub rows: Vec<PlannedRow>,
    /// Every problem, in file order.
    pub problems: Vec<RowProblem>,
}

/// How many rows a plan adds, changes and leaves unchanged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlanCounts {
    /// Customers added.
    pub added: usize,
    /// Customers changed.
    pub changed: usize,
    /// Customers already there as in the file.
    pub unchanged: usize,
}

impl ImportPlan {
    /// Whether the plan may be applied: no problem, and something to do.
    pub fn applicable(&self) -> bool {
        self.problems.is_empty() && !self.rows.is_empty()
    }

    /// How many rows of each kind it holds.
    pub fn counts(&self) -> PlanCounts {
        self.rows.iter().fold(PlanCounts::default(), |mut n, r| {
            match r.action {
                RowAction::Add(_) => n.added += 1,
                RowAction::Change { .. } => n.changed += 1,
                RowAction::Unchanged(_) => n.unchanged += 1,
            }
            n
        })
    }
}

/// Plans the import of `text` (a CSV file's text, decoded) against the organisation's
/// `existing` customers and its active `technicians`, with `today` (China date) as the latest
/// date a row may carry; `new_id` makes the id of each customer added.
pub fn plan(
    text: &str,
    existing: &[Customer],
    technicians: &[KnownTechnician],
    today: NaiveDate,
    mut new_id: impl FnMut() -> CustomerId,
) -> ImportPlan {
    let mut plan = ImportPlan::default();
    let records = match csv::records(text) {
        Ok(r) => r,
        Err(e) => {
            plan.problems.push(RowProblem {
                row: e.row,
                column: None,
                problem: Problem::UnclosedQuote,
            });
            return plan;
        }
    };
    let Some((header, rows)) = records.split_first() else {
        plan.problems.push(RowProblem {
            row: 1,
            column: None,
            problem: Problem::NoHeader,
        });
        return plan;
    };
    let columns = match header_columns(header) {
        Ok(c) => c,
        Err(problems) => {
            plan.problems = problems;
            return plan;
        }
    };
    // Which row of the file took each existing customer (by index), and each new phone.
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut new_phones: Vec<(String, usize)> = Vec::new();
    for record in rows {
        let mut cells = RowCells {
            record,
            columns: &columns,
            problems: Vec::new(),
        };
        let read = cells.read(technicians, today);
        let mut problems = cells.problems;
        let Some(mut customer) = read else {
            plan.problems.append(&mut problems);
            continue;
        };
        let id_text = cells_value(record, &columns, Column::Id);
        let found = match find_existing(existing, &customer, id_text) {
            Ok(found) => found,
            Err((column, problem)) => {
                problems.push(RowProblem {
                    row: record.row,
                    column: Some(column),
                    problem,
                });
                None
            }
        };
        if let Some(i) = found {
            if let Some((_, first)) = taken.iter().find(|(at, _)| *at == i) {
                problems.push(RowProblem {
                    row: record.row,
                    column: None,
                    problem: Problem::SameAsRow(*first),
                });
            } else {
                taken.push((i, record.row));
            }
        } else {
            let digits = phone_digits(&customer.phone);
            if let Some((_, first)) = new_phones.iter().find(|(p, _)| *p == digits) {
                problems.push(RowProblem {
                    row: record.row,
                    column: Some(Column::Phone),
                    problem: Problem::SameAsRow(*first),
                });
            } else {
                new_phones.push((digits, record.row));
            }
        }
        customer.id = found.map_or_else(&mut new_id, |i| existing[i].id);
        if let Err(e) = customer.check() {
            let (column, why) = match &e {
                crate::edit::EditError::Invalid { field, problem } => {
                    (Column::of_field(field), problem.clone())
                }
                e => (None, e.to_string()),
            };
            problems.push(RowProblem {
                row: record.row,
                column,
                problem: Problem::Invalid(why),
            });
        }
        if !problems.is_empty() {
            plan.problems.append(&mut problems);
            continue;
        }
        let action = match found.map(|i| &existing[i]) {
            None => RowAction::Add(customer),
            Some(before) => {
                let changes = before.changes_to(&customer);
                if changes.is_empty() {
                    RowAction::Unchanged(before.clone())
                } else {
                    let mut after = before.clone();
                    for change in &changes {
                        change.apply(&mut after);
                    }
                    RowAction::Change {
                        before: before.clone(),
                        after,
                        changes,
                    }
                }
            }
        };
        plan.rows.push(PlannedRow {
            row: record.row,
            action,
        });
    }
    plan
}

/// The column of each header, or every problem with the header row.
fn header_columns(header: &csv::CsvRecord) -> Result<Vec<Option<Column>>, Vec<RowProblem>> {
    let mut problems = Vec::new();
    let mut columns: Vec<Option<Column>> = Vec::new();
    let problem = |column, problem| RowProblem {
        row: header.row,
        column,
        problem,
    };
    for h in &header.fields {
        let column = Column::from_header(h);
        match column {
            None if h.is_empty() => {}
            None => problems.push(problem(None, Problem::UnknownColumn(h.clone()))),
            Some(c) if columns.contains(&Some(c)) => {
                problems.push(problem(None, Problem::TwiceColumn(h.clone())))
            }
            Some(_) => {}
        }
        columns.push(column);
    }
    for c in Column::ALL {
        if !c.optional() && !columns.contains(&Some(c)) {
            problems.push(problem(Some(c), Problem::MissingColumn));
        }
    }
    match problems.is_empty() {
        true => Ok(columns),
        false => Err(problems),
    }
}

fn cells_value<'a>(
    record: &'a csv::CsvRecord,
    columns: &[Option<Column>],
    column: Column,
) -> &'a str {
    columns
        .iter()
        .position(|c| *c == Some(column))
        .and_then(|i| record.fields.get(i))
        .map_or("", String::as_str)
}

/// A row's cells, read and checked one by one.
struct RowCells<'a> {
    record: &'a csv::CsvRecord,
    columns: &'a [Option<Column>],
    problems: Vec<RowProblem>,
}

impl RowCells<'_> {
    fn cell(&self, column: Column) -> &str {
        cells_value(self.record, self.columns, column)
    }

    fn problem(&mut self, column: Column, problem: Problem) {
        self.problems.push(RowProblem {
            row: self.record.row,
            column: Some(column),
            problem,
        });
    }

    fn text(&mut self, column: Column, required: bool) -> String {
        let value = self.cell(column).to_string();
        if required && value.is_empty() {
            self.problem(column, Problem::Empty);
        }
        value
    }

    fn date(&mut self, column: Column, today: NaiveDate) -> Option<NaiveDate> {
        let value = self.cell(column).to_string();
        if value.is_empty() {
            return None;
        }
        match parse_date(&value) {
            Some(d) if d <= today => Some(d),
            Some(d) => {
                self.problem(column, Problem::Future(d));
                None
            }
            None => {
                self.problem(column, Problem::NotDate(value));
                None
            }
        }
    }

    /// The customer of this row (its id still to be set), or `None` with its problems.
    fn read(&mut self, technicians: &[KnownTechnician], today: NaiveDate) -> Option<Customer> {
        let extra = self.record.fields.len().saturating_sub(self.columns.len());
        if extra > 0
            && self.record.fields[self.columns.len()..]
                .iter()
                .any(|f| !f.is_empty())
        {
            self.problems.push(RowProblem {
                row: self.record.row,
                column: None,
                problem: Problem::ExtraFields(extra),
            });
        }
        let name = self.text(Column::Name, true);
        let phone = self.text(Column::Phone, true);
        if !phone.is_empty() && crate::validate::phone("phone", &phone).is_err() {
            self.problem(Column::Phone, Problem::NotPhone(phone.clone()));
        }
        let address = self.text(Column::Address, true);
        let tier = match self.cell(Column::Tier).to_lowercase().as_str() {
            "vip" | "vip客户" => Some(Tier::Vip),
            "普通" | "普通客户" | "normal" => Some(Tier::Normal),
            other => {
                let other = other.to_string();
                self.problem(Column::Tier, Problem::NotTier(other));
                None
            }
        };
        let product = self.text(Column::Product, true);
        let purchased_on = self.date(Column::PurchasedOn, today);
        if self.cell(Column::PurchasedOn).is_empty() {
            self.problem(Column::PurchasedOn, Problem::Empty);
        }
        let installed_on = self.date(Column::InstalledOn, today);
        let repaired_on = self.date(Column::RepairedOn, today);
        for (column, later) in [
            (Column::InstalledOn, installed_on),
            (Column::RepairedOn, repaired_on),
        ] {
            if let (Some(bought), Some(later)) = (purchased_on, later)
                && later < bought
            {
                self.problem(column, Problem::BeforePurchase(later, bought));
            }
        }
        let technician = self.technician(technicians);
        let (Some(tier), Some(purchased_on), Some(technician_id)) =
            (tier, purchased_on, technician)
        else {
            return None;
        };
        if !self.problems.is_empty() {
            return None;
        }
        Some(Customer {
            id: CustomerId(uuid::Uuid::nil()),
            name,
            phone,
            address,
            tier,
            product,
            purchased_on,
            installed_on,
            repaired_on,
            technician_id,
        })
    }

    fn technician(&mut self, technicians: &[KnownTechnician]) -> Option<UserId> {
        let value = self.cell(Column::Technician).to_string();
        if value.is_empty() {
            self.problem(Column::Technician, Problem::Empty);
            return None;
        }
        if let Some(t) = technicians
            .iter()
            .find(|t| t.username.as_deref() == Some(value.as_str()))
        {
            return Some(t.id);
        }
        let mut named = technicians.iter().filter(|t| t.name == value);
        match (named.next(), named.next()) {
            (Some(t), None) => Some(t.id),
            (Some(_), Some(_)) => {
                self.problem(Column::Technician, Problem::AmbiguousTechnician(value));
                None
            }
            (None, _) => {
                self.problem(Column::Technician, Problem::UnknownTechnician(value));
                None
            }
        }
    }
}

/// The existing customer (by index) a row names, by id, phone, or name and address.
fn find_existing(
    existing: &[Customer],
    row: &Customer,
    id: &str,
) -> Result<Option<usize>, (Column, Problem)> {
    if !id.is_empty() {
        return match id.parse::<CustomerId>() {
            Ok(id) => existing
                .iter()
                .position(|c| c.id == id)
                .map(Some)
                .ok_or_else(|| (Column::Id, Problem::UnknownId(id.to_string()))),
            Err(_) => Err((Column::Id, Problem::UnknownId(id.to_string()))),
        };
    }
    let digits = phone_digits(&row.phone);
    let same_phone: Vec<usize> = (0..existing.len())
        .filter(|&i| phone_digits(&existing[i].phone) == digits)
        .collect();
    match same_phone.as_slice() {
        [] => {}
        [one] => return Ok(Some(*one)),
        several => {
            let mut named = several.iter().filter(|&&i| existing[i].name == row.name);
            return match (named.next(), named.next()) {
                (Some(i), None) => Ok(Some(*i)),
                _ => Err((Column::Phone, Problem::AmbiguousPhone(row.phone.clone()))),
            };
        }
    }
    let mut same = (0..existing.len())
        .filter(|&i| existing[i].name == row.name && existing[i].address == row.address);
    Ok(match (same.next(), same.next()) {
        (Some(i), None) => Some(i),
        _ => None,
    })
}

/// A phone number's digits, as numbers are compared (`138 1234 5678` is `13812345678`).
fn phone_digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// `2026-11-30` or `2026/11/30`, also with one-digit months and days (`2026/1/5`); a date
/// that exists, in the plausible years.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let sep = if text.contains('/') { '/' } else { '-' };
    let mut parts = text.split(sep);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let number = |s: &str, len: std::ops::RangeInclusive<usize>| {
        (len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    if parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(
        number(y, 4..=4)? as i32,
        number(m, 1..=2)?,
        number(d, 1..=2)?,
    )
    .filter(|d| plausible_date(*d))
}

#[cfg(test)]
mod tests;
