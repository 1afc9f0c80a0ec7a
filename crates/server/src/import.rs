//! Importing an organisation's customers from a CSV file (客户导入), all or nothing, with the
//! domain's planner (`revisit_domain::import`, which the desk's import page runs too): the
//! columns, how a row finds a customer already there and every check are documented there.
//!
//! The file is what a spreadsheet exports, in UTF-8 (a byte-order mark is fine). New
//! customers are created; customers already there are changed field by field where the file
//! differs (a reassignment moves their records to the new technician, as one made in the
//! desk does); rows as stored change nothing, so importing a file again does nothing. If any
//! row is wrong, nothing is imported and every problem is listed with its row and column.

use chrono::NaiveDate;
use revisit_domain::{
    Customer, CustomerId, UserId,
    edit::Edit,
    import::{KnownTechnician, RowAction, plan},
};
use uuid::Uuid;

use crate::{
    Db,
    admin::{self, TaskError},
    store::{
        records::{self, Author},
        users,
    },
};

/// What an import did.
#[derive(Debug, PartialEq, Eq)]
pub struct Imported {
    /// Customers created.
    pub created: usize,
    /// Customers already there whose fields the file changed.
    pub updated: usize,
    /// Rows naming a customer already there exactly as in the file.
    pub unchanged: usize,
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

/// Imports the customers of `csv` into the organisation named `org` (or the only one), with
/// `today` (China date) as the latest date a row may carry.
pub async fn import_customers(
    db: &Db,
    org: Option<&str>,
    csv: &str,
    today: NaiveDate,
) -> Result<Imported, ImportError> {
    let org = admin::organisation(db, org).await?.to_string();
    let technicians: Vec<KnownTechnician> = users::of_org(db, &mut *db.read.acquire().await?, &org)
        .await?
        .into_iter()
        .filter(|u| u.role == "technician" && u.active != 0)
        .filter_map(|u| {
            Some(KnownTechnician {
                id: UserId(u.id.parse().ok()?),
                username: Some(u.username),
                name: u.name,
            })
        })
        .collect();

    let mut tx = db.begin_write().await?;
    let existing = records::all::<Customer>(db, &mut tx, &org, false).await?;
    let plan = plan(csv, &existing, &technicians, today, || {
        CustomerId(Uuid::now_v7())
    });
    if !plan.problems.is_empty() {
        return Err(ImportError::Rejected(
            plan.problems.iter().map(ToString::to_string).collect(),
        ));
    }
    let mut imported = Imported {
        created: 0,
        updated: 0,
        unchanged: 0,
    };
    for row in &plan.rows {
        let (found, edit, scope) = match &row.action {
            RowAction::Unchanged(_) => {
                imported.unchanged += 1;
                continue;
            }
            RowAction::Add(c) => {
                imported.created += 1;
                let edit = Edit {
                    id: c.id,
                    base_version: 0,
                    changes: c.as_changes(),
                };
                (None, edit, c.technician_id)
            }
            RowAction::Change { after, changes, .. } => {
                imported.updated += 1;
                let found = records::get::<Customer>(db, &mut tx, &org, after.id.0).await?;
                let edit = Edit {
                    id: after.id,
                    base_version: found.as_ref().map_or(0, |f| f.version as u64),
                    changes: changes.clone(),
                };
                (found, edit, after.technician_id)
            }
        };
        let written = records::write_edit(
            db,
            &mut tx,
            &org,
            found.as_ref(),
            &edit,
            scope,
            Author::SERVER,
        )
        .await?
        .map_err(|e| ImportError::Rejected(vec![format!("row {}: {e}", row.row)]))?;
        if let Some(before) = found.map(|f| f.record.technician_id)
            && before != written.record.technician_id
        {
            records::reassign(
                db,
                &mut tx,
                &org,
                written.record.id,
                Some(before),
                written.record.technician_id,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(imported)
}
