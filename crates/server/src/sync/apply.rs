//! Applying one pushed mutation: checks (the record's own, then who may write it), then the
//! write, its conflicts and its audit entry. The server trusts no field it can check.

use chrono::{DateTime, Utc};
use revisit_domain::{
    Complaint, ComplaintChange, ComplaintEdit, Customer, CustomerChange, CustomerEdit,
    CustomerEvent, CustomerId, IssueChange, IssueEdit, OpenIssue, UserId, VisitRecord, VisitReview,
    edit::{Edit, EditError, Editable, FieldChange},
    wire::{MutationOp, RecordKind, RejectCode, Role},
};
use serde::Serialize;
use std::{
    collections::{HashMap, HashSet},
    sync::Mutex,
};
use uuid::Uuid;

use super::CONFLICT_QUOTA;
use crate::{
    Db,
    auth::Session,
    db::{Tx, next_versions, timestamp},
    error::Error,
    store::{
        Found, Stored,
        records::{self, AuditRow, Author, NewRow, Write},
        users,
    },
};

/// What one mutation came to.
#[derive(Debug)]
pub(super) enum Outcome {
    /// Written.
    Applied,
    /// Already there, the same: nothing to do.
    Duplicate,
    /// Refused for good: kept, and never applied.
    Rejected(RejectCode, String),
    /// It names photos the server does not hold: not applied yet.
    MissingBlobs(Vec<String>),
}

use Outcome::Rejected;

/// What every mutation of one push shares: who pushes, and what the push has learnt and
/// has still to write, so that a push of many records costs few statements.
pub(super) struct Ctx<'a> {
    pub(super) db: &'a Db,
    pub(super) session: &'a Session,
    pub(super) org: String,
    pub(super) now: DateTime<Utc>,
    /// The technician in charge of each customer read so far in this push (`None`: no such
    /// customer); forgotten whenever the push changes a customer.
    in_charge: Mutex<HashMap<CustomerId, Option<UserId>>>,
    /// Audit entries of the push's changes, written together before it commits
    /// ([`Ctx::write_audit`]); nothing reads the log inside a push.
    audit: Mutex<Vec<AuditRow>>,
    /// Versions taken from the organisation's counter for the push's new records, in one
    /// step: the next to hand out and the end of the block (exclusive).
    versions: Mutex<Option<(i64, i64)>>,
    /// How many versions to take at once: one per mutation of the push at most.
    block: i64,
    /// The ids of the records the push's create-only mutations make (visits, events,
    /// reviews), and which of them the organisation held when the push took its counter.
    creatable: Vec<Uuid>,
    taken: Mutex<Option<HashSet<(String, Uuid)>>>,
    /// New create-only records not written yet: written together ([`Ctx::write_new`]) before
    /// anything that could read them, and before the push commits.
    new_rows: Mutex<Vec<NewRow>>,
}

impl<'a> Ctx<'a> {
    /// The context of a push of `mutations` mutations, whose create-only records have the ids
    /// `creatable`.
    pub(super) fn new(
        db: &'a Db,
        session: &'a Session,
        org: String,
        now: DateTime<Utc>,
        mutations: usize,
        creatable: Vec<Uuid>,
    ) -> Self {
        Ctx {
            db,
            session,
            org,
            now,
            in_charge: Mutex::default(),
            audit: Mutex::default(),
            versions: Mutex::default(),
            block: (mutations as i64).max(1),
            creatable,
            taken: Mutex::default(),
            new_rows: Mutex::default(),
        }
    }

    /// Which of the push's create-only ids the organisation holds, asked once: after the push
    /// has taken its organisation's version counter, which every write of a record takes
    /// and keeps until it commits, so no other writer adds one of them before this push ends.
    async fn taken(&self, tx: &mut Tx, kind: &str, id: Uuid) -> Result<bool, Error> {
        if let Some(taken) = lock(&self.taken).as_ref() {
            return Ok(taken.contains(&(kind.to_owned(), id)));
        }
        let version = self.new_version(tx).await?;
        // Handed out again: the counter is taken, which is what was wanted.
        if let Some((next, _)) = lock(&self.versions).as_mut()
            && *next == version + 1
        {
            *next = version;
        }
        let taken = records::existing(self.db, tx, &self.org, &self.creatable).await?;
        let held = taken.contains(&(kind.to_owned(), id));
        *lock(&self.taken) = Some(taken);
        Ok(held)
    }

    /// Writes the new create-only records made so far (in the push's transaction).
    pub(super) async fn write_new(&self, tx: &mut Tx) -> Result<(), Error> {
        let rows = std::mem::take(&mut *lock(&self.new_rows));
        records::insert_new_rows(self.db, tx, &self.org, &rows).await
    }

    /// A version for a new record: from a block taken once for the push, as taking each from
    /// the counter costs a statement. The counter row stays locked by the push's transaction
    /// until it commits (as with [`next_version`]), so versions still follow commit order.
    async fn new_version(&self, tx: &mut Tx) -> Result<i64, Error> {
        {
            let mut versions = lock(&self.versions);
            if let Some((next, end)) = versions.as_mut()
                && *next < *end
            {
                *next += 1;
                return Ok(*next - 1);
            }
        }
        let first = next_versions(self.db, tx, &self.org, self.block).await?;
        *lock(&self.versions) = Some((first + 1, first + self.block));
        Ok(first)
    }

    /// Gives the counter back the versions of the block the push did not use, when nothing
    /// took one after them; otherwise they stay a gap, which no reader minds.
    pub(super) async fn give_back_versions(&self, tx: &mut Tx) -> Result<(), Error> {
        let Some((next, end)) = lock(&self.versions).take() else {
            return Ok(());
        };
        if next < end {
            sqlx::query(
                self.db
                    .sql("UPDATE organisations SET version = ? WHERE id = ? AND version = ?"),
            )
            .bind(next - 1)
            .bind(&self.org)
            .bind(end - 1)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Writes the audit entries the push has made, in their order (in its transaction).
    pub(super) async fn write_audit(&self, tx: &mut Tx) -> Result<(), Error> {
        let rows = std::mem::take(&mut *lock(&self.audit));
        records::audit_many(self.db, tx, &self.org, &rows).await
    }

    fn me(&self) -> UserId {
        self.session.user_id
    }

    fn author(&self) -> Author {
        Author {
            user: Some(self.session.user_id),
            device: Some(self.session.device_id),
        }
    }

    fn technician(&self) -> bool {
        self.session.role == Role::Technician
    }

    /// The technician in charge of `customer`, or `None` when the organisation has no such
    /// customer.
    async fn in_charge(&self, tx: &mut Tx, customer: CustomerId) -> Result<Option<UserId>, Error> {
        if let Some(known) = lock(&self.in_charge).get(&customer) {
            return Ok(*known);
        }
        let found = records::get::<Customer>(self.db, tx, &self.org, customer.0)
            .await?
            .map(|c| c.record.technician_id);
        lock(&self.in_charge).insert(customer, found);
        Ok(found)
    }

    /// Forgets who is in charge of customers: the push changed one.
    fn customers_changed(&self) {
        lock(&self.in_charge).clear();
    }

    /// Whether the user may write records of `customer`: the whole organisation's roles may,
    /// a technician only for customers in their charge. Returns the technician in charge.
    async fn may_write_for(
        &self,
        tx: &mut Tx,
        customer: CustomerId,
    ) -> Result<Result<UserId, Outcome>, Error> {
        match self.in_charge(tx, customer).await? {
            None => Ok(Err(forbidden("no such customer in this organisation"))),
            Some(t) if self.technician() && t != self.me() => Ok(Err(forbidden(
                "the customer is not in this technician's charge",
            ))),
            Some(t) => Ok(Ok(t)),
        }
    }

    /// The photos among `hashes` the organisation does not hold yet.
    async fn missing_blobs(&self, tx: &mut Tx, hashes: &[&str]) -> Result<Vec<String>, Error> {
        let mut missing = Vec::new();
        for &sha in hashes {
            let n: i64 = sqlx::query_scalar(
                self.db
                    .sql("SELECT COUNT(*) FROM blobs WHERE org_id = ? AND sha256 = ?"),
            )
            .bind(&self.org)
            .bind(sha)
            .fetch_one(&mut **tx)
            .await?;
            if n == 0 && !missing.iter().any(|m| m == sha) {
                missing.push(sha.to_owned());
            }
        }
        Ok(missing)
    }

    /// Notes that `customer`'s records name these blobs: who may fetch them.
    async fn refer_blobs(
        &self,
        tx: &mut Tx,
        customer: CustomerId,
        hashes: &[&str],
    ) -> Result<(), Error> {
        for &sha in hashes {
            sqlx::query(self.db.sql(
                "INSERT INTO blob_refs (org_id, sha256, customer_id) VALUES (?, ?, ?)
                 ON CONFLICT (org_id, sha256, customer_id) DO NOTHING",
            ))
            .bind(&self.org)
            .bind(sha)
            .bind(customer.to_string())
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Notes an audit entry, written with the push's others before it commits.
    fn audit(&self, action: &'static str, kind: RecordKind, id: Uuid, detail: &str) {
        lock(&self.audit).push(AuditRow {
            at: Utc::now(),
            user: Some(self.me()),
            action,
            kind: Some(kind),
            record: Some(id),
            detail: detail.to_owned(),
        });
    }
}

/// A push's own state is never shared while a lock is held across an await: a poisoned lock
/// is as good as any.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn invalid(message: impl Into<String>) -> Outcome {
    Rejected(RejectCode::Invalid, message.into())
}

fn forbidden(message: impl Into<String>) -> Outcome {
    Rejected(RejectCode::Forbidden, message.into())
}

/// Applies one mutation; `Ok(Rejected(..))` is a refusal for good, `Err` a failure of the server.
pub(super) async fn apply(ctx: &Ctx<'_>, tx: &mut Tx, op: &MutationOp) -> Result<Outcome, Error> {
    // Every other kind reads records (a review its visit, an edit its record, a reassignment
    // all of a customer's): the new ones are written first.
    if !matches!(op, MutationOp::CreateVisit(_) | MutationOp::RecordEvent(_)) {
        ctx.write_new(tx).await?;
    }
    match op {
        MutationOp::CreateVisit(v) => create_visit(ctx, tx, v).await,
        MutationOp::EditCustomer(e) => edit_customer(ctx, tx, e).await,
        MutationOp::RecordEvent(e) => record_event(ctx, tx, e).await,
        MutationOp::EditComplaint(e) => edit_complaint(ctx, tx, e).await,
        MutationOp::EditIssue(e) => edit_issue(ctx, tx, e).await,
        MutationOp::CreateReview(r) => create_review(ctx, tx, r).await,
    }
}

/// Writes a create-only record unless one with its id exists: the same is a duplicate,
/// another is a conflict (the incoming one is kept as the refused mutation).
async fn create_once<T: Stored + PartialEq>(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    record: &T,
    scope: UserId,
) -> Result<Outcome, Error> {
    let key = (T::KIND.code(), record.key());
    // Made earlier in this push, not written yet: compared with that one.
    let earlier = lock(&ctx.new_rows)
        .iter()
        .find(|r| r.key() == key)
        .map(|r| serde_json::from_str::<T>(&r.data));
    let existing = match earlier {
        Some(earlier) => Some(earlier.map_err(|e| Error::Internal(e.into()))?),
        None if ctx.taken(tx, key.0, key.1).await? => Some(
            records::get::<T>(ctx.db, tx, &ctx.org, record.key())
                .await?
                .ok_or_else(|| Error::Internal(anyhow::anyhow!("{} vanished", record.key())))?
                .record,
        ),
        None => None,
    };
    if let Some(existing) = existing {
        return Ok(if existing == *record {
            Outcome::Duplicate
        } else {
            Rejected(
                RejectCode::Conflict,
                "a different record with this id exists; both are kept for review".into(),
            )
        });
    }
    let version = ctx.new_version(tx).await?;
    let write = Write {
        record,
        scope: Some(scope),
        author: ctx.author(),
        stamps: None,
    };
    lock(&ctx.new_rows).push(NewRow::new(write, version)?);
    ctx.audit("create", T::KIND, record.key(), "");
    Ok(Outcome::Applied)
}

async fn create_visit(ctx: &Ctx<'_>, tx: &mut Tx, visit: &VisitRecord) -> Result<Outcome, Error> {
    if let Err(e) = visit.id.check_made() {
        return Ok(invalid(format!("id: {e}")));
    }
    if let Err(e) = visit.validate() {
        return Ok(invalid(e.to_string()));
    }
    if !visit.plausible_at(ctx.now) {
        return Ok(invalid(
            "the visit's time is later than the server's clock allows",
        ));
    }
    if visit.device_id != ctx.session.device_id || visit.technician_id != ctx.me() {
        return Ok(forbidden("the visit names another device or technician"));
    }
    let Some(in_charge) = ctx.in_charge(tx, visit.customer_id).await? else {
        return Ok(forbidden("no such customer in this organisation"));
    };
    // A technician's visit of a customer moved away while their tablet was offline happened:
    // it is accepted, and the desk shows it as made by someone no longer in charge.
    if ctx.technician()
        && in_charge != ctx.me()
        && !records::was_in_charge(ctx.db, tx, &ctx.org, visit.customer_id, ctx.me()).await?
    {
        return Ok(forbidden("the customer is not in this technician's charge"));
    }
    if visit.amends.is_some() {
        ctx.write_new(tx).await?;
    }
    if let Some(original) = visit.amends
        && records::get::<VisitRecord>(ctx.db, tx, &ctx.org, original.0)
            .await?
            .is_none_or(|o| o.record.customer_id != visit.customer_id)
    {
        return Ok(invalid("the amended record is not one of this customer's"));
    }
    let photos: Vec<&str> = visit.photos.iter().map(|p| p.sha256.as_str()).collect();
    let missing = ctx.missing_blobs(tx, &photos).await?;
    if !missing.is_empty() {
        return Ok(Outcome::MissingBlobs(missing));
    }
    let outcome = create_once(ctx, tx, visit, in_charge).await?;
    if matches!(outcome, Outcome::Applied) {
        ctx.refer_blobs(tx, visit.customer_id, &photos).await?;
    }
    Ok(outcome)
}

async fn record_event(ctx: &Ctx<'_>, tx: &mut Tx, event: &CustomerEvent) -> Result<Outcome, Error> {
    if let Err(e) = event.check() {
        return Ok(invalid(e.to_string()));
    }
    if event.at > ctx.now + chrono::Duration::days(1) {
        return Ok(invalid("the event is later than the server's clock allows"));
    }
    if event.recorded_by != ctx.me() {
        return Ok(forbidden("the event names another user as its recorder"));
    }
    let scope = match ctx.may_write_for(tx, event.customer_id).await? {
        Ok(t) => t,
        Err(refused) => return Ok(refused),
    };
    create_once(ctx, tx, event, scope).await
}

async fn create_review(ctx: &Ctx<'_>, tx: &mut Tx, review: &VisitReview) -> Result<Outcome, Error> {
    if !ctx.session.role.sees_whole_org() || ctx.session.role == Role::ServiceAssistant {
        return Ok(forbidden(
            "only supervisors and managers review visit records",
        ));
    }
    if let Err(e) = review.check() {
        return Ok(invalid(e.to_string()));
    }
    if review.reviewer != ctx.me() {
        return Ok(forbidden("the review names another reviewer"));
    }
    let Some(visit) = records::get::<VisitRecord>(ctx.db, tx, &ctx.org, review.visit_id.0).await?
    else {
        return Ok(invalid("no such visit record in this organisation"));
    };
    if visit.record.customer_id != review.customer_id
        || visit.record.technician_id != review.technician_id
    {
        return Ok(invalid(
            "the review names another customer or technician than the record",
        ));
    }
    let scope = visit.technician.unwrap_or(review.technician_id);
    create_once(ctx, tx, review, scope).await
}

/// Applies a field-by-field edit to the stored record and writes the result with its stamps
/// and the conflicts it met. Returns the record as written, or the refusal.
async fn write_edit<R: Stored + Editable>(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    existing: Option<&Found<R>>,
    edit: &Edit<R::Id, R::Change>,
    scope: UserId,
) -> Result<Result<R, Outcome>, Error> {
    let merged =
        match records::write_edit(ctx.db, tx, &ctx.org, existing, edit, scope, ctx.author()).await?
        {
            Ok(m) => m,
            Err(EditError::NoSuchRecord) => {
                return Ok(Err(invalid("the record to change does not exist")));
            }
            Err(e) => return Ok(Err(invalid(e.to_string()))),
        };
    for conflict in &merged.conflicts {
        keep_conflict(ctx, tx, R::KIND, merged.record.key(), conflict).await?;
    }
    let fields: Vec<&str> = edit.changes.iter().map(FieldChange::field).collect();
    let action = if existing.is_none() { "create" } else { "edit" };
    ctx.audit(action, R::KIND, merged.record.key(), &fields.join(","));
    Ok(Ok(merged.record))
}

/// Keeps the value a concurrent edit replaced, for a manager to see and resolve.
async fn keep_conflict<C: FieldChange + Serialize>(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    kind: RecordKind,
    id: Uuid,
    conflict: &revisit_domain::edit::FieldConflict<C>,
) -> Result<(), Error> {
    let open: i64 = sqlx::query_scalar(
        ctx.db
            .sql("SELECT COUNT(*) FROM edit_conflicts WHERE org_id = ? AND resolved_at IS NULL"),
    )
    .bind(&ctx.org)
    .fetch_one(&mut **tx)
    .await?;
    if open >= CONFLICT_QUOTA {
        tracing::warn!(org = ctx.org, %id, "edit-conflict quota reached: a replaced value is only logged");
        return Ok(());
    }
    let json = |c: &C| serde_json::to_string(c).map_err(|e| Error::Internal(e.into()));
    sqlx::query(ctx.db.sql(
        "INSERT INTO edit_conflicts (org_id, kind, record_id, field, replaced, replaced_device,
             kept, kept_device, kept_user, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ))
    .bind(&ctx.org)
    .bind(kind.code())
    .bind(id.to_string())
    .bind(conflict.winner.field())
    .bind(json(&conflict.replaced)?)
    .bind(conflict.replaced_stamp.device.to_string())
    .bind(json(&conflict.winner)?)
    .bind(ctx.session.device_id.to_string())
    .bind(ctx.me().to_string())
    .bind(timestamp(ctx.now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether `user` is an active user of the organisation, with one of `roles` (any when empty).
async fn active_user(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    user: UserId,
    roles: &[Role],
) -> Result<bool, Error> {
    Ok(users::by_id(ctx.db, tx, &ctx.org, &user.to_string())
        .await?
        .is_some_and(|u| {
            u.active != 0
                && u.role()
                    .is_ok_and(|r| roles.is_empty() || roles.contains(&r))
        }))
}

async fn edit_customer(ctx: &Ctx<'_>, tx: &mut Tx, edit: &CustomerEdit) -> Result<Outcome, Error> {
    let existing = records::get::<Customer>(ctx.db, tx, &ctx.org, edit.id.0).await?;
    if ctx.technician() {
        let theirs = existing
            .as_ref()
            .is_some_and(|c| c.record.technician_id == ctx.me());
        if !theirs {
            return Ok(forbidden(
                "technicians change only customers in their charge",
            ));
        }
        if !edit.changes.iter().all(CustomerChange::technician_may_make) {
            return Ok(forbidden(
                "technicians change a customer's name, phone and address only",
            ));
        }
    }
    if existing.is_none()
        && let Err(e) = edit.id.check_made()
    {
        return Ok(invalid(format!("id: {e}")));
    }
    for change in &edit.changes {
        if let CustomerChange::Technician(t) = change
            && !active_user(ctx, tx, *t, &[Role::Technician]).await?
        {
            return Ok(invalid(
                "the technician named is not an active technician of the organisation",
            ));
        }
    }
    let before = existing.as_ref().map(|c| c.record.technician_id);
    let scope = edit
        .changes
        .iter()
        .find_map(|c| match c {
            CustomerChange::Technician(t) => Some(*t),
            _ => None,
        })
        .or(before);
    let Some(scope) = scope else {
        return Ok(invalid(EditError::Missing("technician").to_string()));
    };
    let written = match write_edit(ctx, tx, existing.as_ref(), edit, scope).await? {
        Ok(c) => c,
        Err(refused) => return Ok(refused),
    };
    ctx.customers_changed();
    if let Some(before) = before
        && before != written.technician_id
    {
        records::reassign(
            ctx.db,
            tx,
            &ctx.org,
            written.id,
            Some(before),
            written.technician_id,
        )
        .await?;
        let detail = format!("{before} -> {}", written.technician_id);
        ctx.audit("reassign", RecordKind::Customer, written.id.0, &detail);
    }
    Ok(Outcome::Applied)
}

async fn edit_complaint(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    edit: &ComplaintEdit,
) -> Result<Outcome, Error> {
    let existing = records::get::<Complaint>(ctx.db, tx, &ctx.org, edit.id.0).await?;
    let customer = match &existing {
        Some(c) => Some(c.record.customer_id),
        None => edit.changes.iter().find_map(|c| match c {
            ComplaintChange::Customer(id) => Some(*id),
            _ => None,
        }),
    };
    let Some(customer) = customer else {
        return Ok(invalid(EditError::Missing("customer").to_string()));
    };
    let scope = match ctx.may_write_for(tx, customer).await? {
        Ok(t) => t,
        Err(refused) => return Ok(refused),
    };
    if existing.is_none() {
        if let Err(e) = edit.id.check_made() {
            return Ok(invalid(format!("id: {e}")));
        }
        // 首问负责制: whoever records it takes it first and owns it.
        let taker = edit.changes.iter().find_map(|c| match c {
            ComplaintChange::TakenBy(u) => Some(*u),
            _ => None,
        });
        if taker != Some(ctx.me()) {
            return Ok(forbidden("a complaint is taken by whoever records it"));
        }
    } else if ctx.technician() {
        return Ok(forbidden(
            "complaints are handled at the desk; technicians record them",
        ));
    }
    for change in &edit.changes {
        if let ComplaintChange::Assignee(Some(u)) = change
            && !active_user(ctx, tx, *u, &[]).await?
        {
            return Ok(invalid(
                "the assignee is not an active user of the organisation",
            ));
        }
    }
    match write_edit(ctx, tx, existing.as_ref(), edit, scope).await? {
        Ok(_) => Ok(Outcome::Applied),
        Err(refused) => Ok(refused),
    }
}

async fn edit_issue(ctx: &Ctx<'_>, tx: &mut Tx, edit: &IssueEdit) -> Result<Outcome, Error> {
    let existing = records::get::<OpenIssue>(ctx.db, tx, &ctx.org, edit.id.0).await?;
    let customer = match &existing {
        Some(i) => Some(i.record.customer_id),
        None => edit.changes.iter().find_map(|c| match c {
            IssueChange::Customer(id) => Some(*id),
            _ => None,
        }),
    };
    let Some(customer) = customer else {
        return Ok(invalid(EditError::Missing("customer").to_string()));
    };
    let scope = match ctx.may_write_for(tx, customer).await? {
        Ok(t) => t,
        Err(refused) => return Ok(refused),
    };
    if existing.is_none() {
        if let Err(e) = edit.id.check_made() {
            return Ok(invalid(format!("id: {e}")));
        }
        let reporter = edit.changes.iter().find_map(|c| match c {
            IssueChange::ReportedBy(u) => Some(*u),
            _ => None,
        });
        if reporter != Some(ctx.me()) {
            return Ok(forbidden("an issue is reported by whoever records it"));
        }
    }
    let hashes: Vec<String> = edit
        .changes
        .iter()
        .flat_map(|c| match c {
            IssueChange::Photos(p) => p.iter().map(|p| p.sha256.clone()).collect(),
            _ => Vec::new(),
        })
        .collect();
    // A photo reference that cannot be right is refused before its blob is asked for: a
    // name no upload can have would otherwise stop the device's pushes at every try.
    for change in &edit.changes {
        if let IssueChange::Photos(refs) = change
            && let Some(e) = refs.iter().find_map(|p| p.check().err())
        {
            return Ok(invalid(e.to_string()));
        }
    }
    let photos: Vec<&str> = hashes.iter().map(String::as_str).collect();
    let missing = ctx.missing_blobs(tx, &photos).await?;
    if !missing.is_empty() {
        return Ok(Outcome::MissingBlobs(missing));
    }
    match write_edit(ctx, tx, existing.as_ref(), edit, scope).await? {
        Ok(_) => {
            ctx.refer_blobs(tx, customer, &photos).await?;
            Ok(Outcome::Applied)
        }
        Err(refused) => Ok(refused),
    }
}
