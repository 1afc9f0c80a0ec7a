//! A customer's digest (客户摘要): the customer record and, of their other records, only what
//! the policy engine reads — each visit as a [`VisitFact`], each recorded event and each
//! complaint's receipt and closing —, kept beside the full records so that a tablet's agenda
//! starts from one small record per customer instead of decoding every visit whole.
//!
//! A digest is patched as records arrive ([`CustomerDigest::set_customer`],
//! [`CustomerDigest::add_visit`], [`CustomerDigest::put_event`],
//! [`CustomerDigest::put_complaint`]), following each record kind's own rules (a visit is
//! create-only; an event or a complaint is replaced by its newer copy), and stored in a compact
//! binary form ([`CustomerDigest::encode`] / [`CustomerDigest::decode`]); [`engine_input`] makes
//! of a set of digests exactly the input [`recorded_input`] makes of the records themselves.
//! A digest that does not decode (another format version, damaged bytes) is an error the
//! caller answers by building the digests again from the records.
//!
//! [`recorded_input`]: crate::event::recorded_input

use chrono::{DateTime, NaiveDate, Utc};
use rustc_hash::FxHashSet;
use uuid::Uuid;

use crate::{
    Channel, Complaint, ComplaintId, Customer, CustomerEvent, CustomerId, EventId, Tier, UserId,
    VisitId, VisitRecord,
    policy::{
        EngineInput, ItemKey, LifecycleEvent, NotCompletedReason, Outcome, Trigger, VisitFact,
        from_customer,
    },
};

/// The digest's binary format; a digest of another version does not decode.
const FORMAT: u8 = 1;

/// One customer's digest. 客户摘要
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerDigest {
    /// Whose.
    pub id: CustomerId,
    /// The customer record, once it is here (a visit waiting to be sent may outlive it).
    pub customer: Option<Customer>,
    /// Recorded events (安装完成, 维修完成…), by the event's id.
    pub events: Vec<(EventId, Trigger, DateTime<Utc>)>,
    /// Complaints: received, and closed when closed, by the complaint's id.
    pub complaints: Vec<(ComplaintId, DateTime<Utc>, Option<DateTime<Utc>>)>,
    /// Visits as the engine reads them, with the visit each one amends.
    pub visits: Vec<(VisitFact, Option<VisitId>)>,
}

/// A digest that could not be read back.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a stored customer digest could not be read")]
pub struct DigestError;

impl CustomerDigest {
    /// An empty digest of customer `id`.
    pub fn new(id: CustomerId) -> CustomerDigest {
        CustomerDigest {
            id,
            customer: None,
            events: Vec::new(),
            complaints: Vec::new(),
            visits: Vec::new(),
        }
    }

    /// The customer record as it now stands.
    pub fn set_customer(&mut self, c: &Customer) {
        self.customer = Some(c.clone());
    }

    /// A visit record; false (and nothing changed) if it is already here: visits are
    /// create-only.
    pub fn add_visit(&mut self, v: &VisitRecord) -> bool {
        if self.visits.iter().any(|(f, _)| f.id == v.id) {
            return false;
        }
        self.visits.push((VisitFact::from(v), v.amends));
        true
    }

    /// An event record, replacing an earlier copy of it.
    pub fn put_event(&mut self, e: &CustomerEvent) {
        let entry = (e.id, e.kind, e.at);
        match self.events.iter_mut().find(|(id, ..)| *id == e.id) {
            Some(old) => *old = entry,
            None => self.events.push(entry),
        }
    }

    /// A complaint record, replacing an earlier copy of it.
    pub fn put_complaint(&mut self, c: &Complaint) {
        let entry = (c.id, c.received_at, c.closed_at);
        match self.complaints.iter_mut().find(|(id, ..)| *id == c.id) {
            Some(old) => *old = entry,
            None => self.complaints.push(entry),
        }
    }

    /// The digest in its compact binary form.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer(Vec::with_capacity(64 + 48 * self.visits.len()));
        w.u8(FORMAT);
        w.uuid(self.id.0);
        match &self.customer {
            None => w.u8(0),
            Some(c) => {
                w.u8(1);
                w.uuid(c.id.0);
                for s in [&c.name, &c.phone, &c.address, &c.product] {
                    w.str(s);
                }
                w.u8(Tier::ALL.iter().position(|t| *t == c.tier).unwrap_or(0) as u8);
                w.date(c.purchased_on);
                w.opt_date(c.installed_on);
                w.opt_date(c.repaired_on);
                w.uuid(c.technician_id.0);
            }
        }
        w.len(self.events.len());
        for (id, kind, at) in &self.events {
            w.uuid(id.0);
            w.u8(Trigger::ALL.iter().position(|t| t == kind).unwrap_or(0) as u8);
            w.instant(*at);
        }
        w.len(self.complaints.len());
        for (id, received, closed) in &self.complaints {
            w.uuid(id.0);
            w.instant(*received);
            w.opt_instant(*closed);
        }
        w.len(self.visits.len());
        for (fact, amends) in &self.visits {
            w.uuid(fact.id.0);
            w.instant(fact.at);
            w.u8(Channel::ALL
                .iter()
                .position(|c| *c == fact.channel)
                .unwrap_or(0) as u8);
            match fact.outcome {
                Outcome::Good => w.u8(0),
                Outcome::Poor => w.u8(1),
                Outcome::Unreachable => w.u8(2),
                Outcome::NotCompleted(NotCompletedReason::NotHome) => w.u8(3),
                Outcome::NotCompleted(NotCompletedReason::Refused) => w.u8(4),
                Outcome::Rescheduled { to } => {
                    w.u8(5);
                    w.instant(to);
                }
            }
            w.len(fact.answers.len());
            for key in &fact.answers {
                w.str(&key.rule);
                w.instant(key.start);
                w.0.extend(key.occurrence.to_le_bytes());
            }
            match amends {
                None => w.u8(0),
                Some(id) => {
                    w.u8(1);
                    w.uuid(id.0);
                }
            }
        }
        w.0
    }

    /// Reads back what [`CustomerDigest::encode`] wrote.
    pub fn decode(bytes: &[u8]) -> Result<CustomerDigest, DigestError> {
        let mut r = Reader(bytes);
        if r.u8()? != FORMAT {
            return Err(DigestError);
        }
        let id = CustomerId(r.uuid()?);
        let customer = match r.u8()? {
            0 => None,
            1 => Some(Customer {
                id: CustomerId(r.uuid()?),
                name: r.str()?,
                phone: r.str()?,
                address: r.str()?,
                product: r.str()?,
                tier: *Tier::ALL.get(r.u8()? as usize).ok_or(DigestError)?,
                purchased_on: r.date()?,
                installed_on: r.opt_date()?,
                repaired_on: r.opt_date()?,
                technician_id: UserId(r.uuid()?),
            }),
            _ => return Err(DigestError),
        };
        let mut events = Vec::new();
        for _ in 0..r.len()? {
            let id = EventId(r.uuid()?);
            let kind = *Trigger::ALL.get(r.u8()? as usize).ok_or(DigestError)?;
            events.push((id, kind, r.instant()?));
        }
        let mut complaints = Vec::new();
        for _ in 0..r.len()? {
            complaints.push((ComplaintId(r.uuid()?), r.instant()?, r.opt_instant()?));
        }
        let mut visits = Vec::new();
        for _ in 0..r.len()? {
            let vid = VisitId(r.uuid()?);
            let at = r.instant()?;
            let channel = *Channel::ALL.get(r.u8()? as usize).ok_or(DigestError)?;
            let outcome = match r.u8()? {
                0 => Outcome::Good,
                1 => Outcome::Poor,
                2 => Outcome::Unreachable,
                3 => Outcome::NotCompleted(NotCompletedReason::NotHome),
                4 => Outcome::NotCompleted(NotCompletedReason::Refused),
                5 => Outcome::Rescheduled { to: r.instant()? },
                _ => return Err(DigestError),
            };
            let mut answers = Vec::new();
            for _ in 0..r.len()? {
                answers.push(ItemKey {
                    rule: r.str()?,
                    start: r.instant()?,
                    occurrence: u32::from_le_bytes(r.take()?),
                });
            }
            let amends = match r.u8()? {
                0 => None,
                1 => Some(VisitId(r.uuid()?)),
                _ => return Err(DigestError),
            };
            let fact = VisitFact {
                id: vid,
                customer_id: id,
                at,
                channel,
                outcome,
                answers,
            };
            visits.push((fact, amends));
        }
        if !r.0.is_empty() {
            return Err(DigestError);
        }
        Ok(CustomerDigest {
            id,
            customer,
            events,
            complaints,
            visits,
        })
    }
}

/// The digests of many customers as the policy engine's input, with, for each of the input's
/// customers in order, the position of its digest in `digests` (a digest without its customer
/// record adds nothing). For the same records, the same input as
/// [`crate::event::recorded_input`] (up to the order of events and visits, which the engine
/// does not depend on).
pub fn engine_input(digests: &[CustomerDigest]) -> (EngineInput, Vec<usize>) {
    let amended: FxHashSet<VisitId> = digests
        .iter()
        .flat_map(|d| d.visits.iter().filter_map(|(_, a)| *a))
        .collect();
    let mut input = EngineInput::default();
    let mut at = Vec::new();
    for (n, d) in digests.iter().enumerate() {
        let Some(c) = &d.customer else { continue };
        let (facts, events) = from_customer(c);
        input.customers.push(facts);
        input.events.extend(events);
        at.push(n);
    }
    for d in digests {
        let lifecycle = |kind, at| LifecycleEvent {
            customer_id: d.id,
            kind,
            at,
        };
        input
            .events
            .extend(d.events.iter().map(|&(_, kind, at)| lifecycle(kind, at)));
        for &(_, received, closed) in &d.complaints {
            input
                .events
                .push(lifecycle(Trigger::ComplaintReceived, received));
            if let Some(closed) = closed {
                input
                    .events
                    .push(lifecycle(Trigger::ComplaintClosed, closed));
            }
        }
        input.visits.extend(
            d.visits
                .iter()
                .filter(|(f, _)| !amended.contains(&f.id))
                .map(|(f, _)| f.clone()),
        );
    }
    (input, at)
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, b: u8) {
        self.0.push(b);
    }
    fn len(&mut self, n: usize) {
        self.0.extend((n as u32).to_le_bytes());
    }
    fn uuid(&mut self, id: Uuid) {
        self.0.extend(id.as_bytes());
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.0.extend(s.as_bytes());
    }
    fn instant(&mut self, at: DateTime<Utc>) {
        self.0.extend(at.timestamp().to_le_bytes());
        self.0.extend(at.timestamp_subsec_nanos().to_le_bytes());
    }
    fn opt_instant(&mut self, at: Option<DateTime<Utc>>) {
        match at {
            None => self.u8(0),
            Some(at) => {
                self.u8(1);
                self.instant(at);
            }
        }
    }
    fn date(&mut self, d: NaiveDate) {
        self.0.extend(d.to_epoch_days().to_le_bytes());
    }
    fn opt_date(&mut self, d: Option<NaiveDate>) {
        match d {
            None => self.u8(0),
            Some(d) => {
                self.u8(1);
                self.date(d);
            }
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], DigestError> {
        let (head, rest) = self.0.split_first_chunk::<N>().ok_or(DigestError)?;
        self.0 = rest;
        Ok(*head)
    }
    fn u8(&mut self) -> Result<u8, DigestError> {
        Ok(self.take::<1>()?[0])
    }
    fn len(&mut self) -> Result<usize, DigestError> {
        let n = u32::from_le_bytes(self.take()?) as usize;
        // Every counted item takes at least a byte: a count past the end is damage.
        if n > self.0.len() {
            return Err(DigestError);
        }
        Ok(n)
    }
    fn uuid(&mut self) -> Result<Uuid, DigestError> {
        Ok(Uuid::from_bytes(self.take()?))
    }
    fn str(&mut self) -> Result<String, DigestError> {
        let n = self.len()?;
        let (s, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8(s.to_vec()).map_err(|_| DigestError)
    }
    fn instant(&mut self) -> Result<DateTime<Utc>, DigestError> {
        let secs = i64::from_le_bytes(self.take()?);
        let nanos = u32::from_le_bytes(self.take()?);
        DateTime::from_timestamp(secs, nanos).ok_or(DigestError)
    }
    fn opt_instant(&mut self) -> Result<Option<DateTime<Utc>>, DigestError> {
        match self.u8()? {
            0 => Ok(None),
            1 => self.instant().map(Some),
            _ => Err(DigestError),
        }
    }
    fn date(&mut self) -> Result<NaiveDate, DigestError> {
        NaiveDate::from_epoch_days(i32::from_le_bytes(self.take()?)).ok_or(DigestError)
    }
    fn opt_date(&mut self) -> Result<Option<NaiveDate>, DigestError> {
        match self.u8()? {
            0 => Ok(None),
            1 => self.date().map(Some),
            _ => Err(DigestError),
        }
    }
}

#[cfg(test)]
mod tests;
