//! Decodes and validates every sync wire type over generated inputs — valid samples of each,
//! mutated by a seeded generator at the byte and at the JSON level — and counts panics (there
//! must be none). Run by `cargo xtask fuzz [--count N] [--seed S]`, in release.
//!
//! Each input is read as every wire type. What decodes is validated as the server and the
//! client would (a visit's checks and hash, an edit merged into nothing and into a stored
//! record, a policy compiled), written back and read again (the round trip must give the same
//! value), and a decoded push is cut into batches (never empty, each mutation within its size
//! bound). A panic or a broken property is printed with its input, base64, and counted.

use std::{
    panic::{AssertUnwindSafe, catch_unwind},
    sync::atomic::{AtomicU64, Ordering},
    time::Instant,
};

use base64::Engine;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use revisit_domain::{
    Channel, Complaint, ComplaintChange, Customer, CustomerChange, CustomerEvent, CustomerId,
    DeviceId, EventId, IssueChange, OpenIssue, PhotoRef, Reach, ReviewId, Satisfaction, Signature,
    Tier, UserId, Verdict, VisitId, VisitRecord, VisitReview,
    edit::{Edit, Editable, merge},
    image::ImageType,
    policy::{WorkCalendar, builtin_spec},
    wire::{
        ApiError, BlobReceipt, Change, ChangePasswordRequest, ConflictPage, ConflictQuery,
        EditConflict, Entity, ErrorCode, LoginRequest, LoginResponse, Mutation, MutationHead,
        MutationOp, PolicyBundle, PullQuery, PullResponse, PushEnvelope, PushRequest, PushResponse,
        RejectCode, RejectedMutation, RejectedPage, RejectedQuery, RejectedRecord, Removal, Role,
        SCHEMA_VERSION, SessionUser, UserCard, push_batch_len,
    },
};
use serde::{Serialize, de::DeserializeOwned};
use uuid::Uuid;

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn id(n: u64) -> Uuid {
    // A UUIDv7-shaped id: version and variant bits set.
    Uuid::from_u128((0x0190_0000_0000_7000_8000_0000_0000_0000u128) | u128::from(n))
}

fn at(s: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_764_000_000 + s, 0).unwrap()
}

fn visit(n: u64) -> VisitRecord {
    VisitRecord {
        id: VisitId(id(n)),
        customer_id: CustomerId(id(100)),
        technician_id: UserId(id(200)),
        device_id: DeviceId(id(300)),
        visited_at: at(n as i64),
        channel: Channel::OnSite,
        reach: Reach::Reached,
        satisfaction: Some(Satisfaction::Satisfied),
        notes: "设备运行正常 \u{1} \"quoted\"".into(),
        signature: Some(Signature {
            png: revisit_domain::image::tiny_png(40, 20, &n.to_be_bytes()),
        }),
        photos: vec![PhotoRef {
            sha256: "a".repeat(64),
            mime: ImageType::Png,
            bytes: 1000,
            taken_at: at(0),
            from_gallery: false,
            place: None,
        }],
        amends: None,
        sha256: String::new(),
    }
    .seal()
}

fn customer() -> Customer {
    Customer {
        id: CustomerId(id(100)),
        name: "王五".into(),
        phone: "13800000000".into(),
        address: "上海市徐汇区1号".into(),
        tier: Tier::Vip,
        product: "RO-400".into(),
        purchased_on: NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(),
        installed_on: None,
        repaired_on: None,
        technician_id: UserId(id(200)),
    }
}

fn ops() -> Vec<MutationOp> {
    let now = at(0);
    vec![
        MutationOp::CreateVisit(visit(1)),
        MutationOp::EditCustomer(Edit {
            id: CustomerId(id(101)),
            base_version: 0,
            changes: vec![
                CustomerChange::Name("新客户".into()),
                CustomerChange::Phone("13900000000".into()),
                CustomerChange::PurchasedOn(NaiveDate::from_ymd_opt(2026, 3, 4).unwrap()),
                CustomerChange::InstalledOn(Some(NaiveDate::from_ymd_opt(2026, 3, 5).unwrap())),
                CustomerChange::Technician(UserId(id(200))),
            ],
        }),
        MutationOp::EditCustomer(Edit {
            id: CustomerId(id(100)),
            base_version: 7,
            changes: vec![
                CustomerChange::Address("北京".into()),
                CustomerChange::Tier(Tier::Normal),
            ],
        }),
        MutationOp::RecordEvent(CustomerEvent {
            id: EventId(id(400)),
            customer_id: CustomerId(id(100)),
            kind: CustomerEvent::recordable_kinds().next().unwrap(),
            at: now,
            recorded_by: UserId(id(200)),
            label: "开工".into(),
            note: "备注".into(),
        }),
        MutationOp::EditComplaint(Edit {
            id: revisit_domain::ComplaintId(id(500)),
            base_version: 0,
            changes: vec![
                ComplaintChange::Customer(CustomerId(id(100))),
                ComplaintChange::ReceivedAt(now),
                ComplaintChange::TakenBy(UserId(id(200))),
                ComplaintChange::Summary("噪音".into()),
                ComplaintChange::Assignee(Some(UserId(id(201)))),
                ComplaintChange::RepliedAt(Some(at(60))),
            ],
        }),
        MutationOp::EditIssue(Edit {
            id: revisit_domain::IssueId(id(600)),
            base_version: 0,
            changes: vec![
                IssueChange::Customer(CustomerId(id(100))),
                IssueChange::ReportedBy(UserId(id(200))),
                IssueChange::ReportedAt(now),
                IssueChange::PromisedOn(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
                IssueChange::Description("漏水".into()),
                IssueChange::LeadDepartment("售后".into()),
                IssueChange::CoDepartments(vec!["质量部".into()]),
                IssueChange::ClosedAt(None),
            ],
        }),
        MutationOp::CreateReview(VisitReview {
            id: ReviewId(id(700)),
            visit_id: VisitId(id(1)),
            customer_id: CustomerId(id(100)),
            technician_id: UserId(id(200)),
            reviewer: UserId(id(201)),
            reviewed_at: now,
            verdict: Verdict::Returned,
            comment: "签名不清".into(),
            hash_verified: true,
            sample: "2026-11".into(),
        }),
    ]
}

/// One valid value of every wire type, as JSON.
fn samples() -> Vec<Vec<u8>> {
    let mutations: Vec<Mutation> = ops()
        .into_iter()
        .enumerate()
        .map(|(n, op)| Mutation {
            seq: n as u64 + 1,
            op,
        })
        .collect();
    let card = UserCard {
        id: UserId(id(200)),
        name: "张伟".into(),
        role: Role::Technician,
        team: "一班".into(),
        active: false,
    };
    let complaint = match merge::<Complaint>(
        None,
        match &ops()[4] {
            MutationOp::EditComplaint(e) => e,
            _ => unreachable!(),
        },
        DeviceId(id(300)),
        3,
    ) {
        Ok(m) => m.record,
        Err(e) => panic!("the sample complaint: {e}"),
    };
    let issue = match merge::<OpenIssue>(
        None,
        match &ops()[5] {
            MutationOp::EditIssue(e) => e,
            _ => unreachable!(),
        },
        DeviceId(id(300)),
        4,
    ) {
        Ok(m) => m.record,
        Err(e) => panic!("the sample issue: {e}"),
    };
    let entities = vec![
        Entity::Customer(customer()),
        Entity::Visit(visit(2)),
        Entity::User(card.clone()),
        Entity::Complaint(complaint),
        Entity::Issue(issue),
        Entity::Removed(Removal {
            customer_id: CustomerId(id(100)),
        }),
    ];
    let bundle = PolicyBundle::new(
        builtin_spec(revisit_domain::policy::BUILTIN_PROFILES[0].0).unwrap(),
        WorkCalendar::china().to_spec(),
    );
    let j = |v: &dyn erased::Json| v.json();
    vec![
        j(&PushRequest {
            device_id: DeviceId(id(300)),
            schema_version: SCHEMA_VERSION,
            mutations: mutations.clone(),
        }),
        j(&mutations[0]),
        j(&PullResponse {
            changes: entities
                .into_iter()
                .enumerate()
                .map(|(n, entity)| Change {
                    version: n as u64 + 1,
                    entity,
                })
                .collect(),
            cursor: 9,
            last_applied_seq: 3,
            has_more: true,
            policy: None,
            reset_required: false,
            remaining: Some(4),
        }),
        j(&PullResponse {
            changes: Vec::new(),
            cursor: 0,
            last_applied_seq: 0,
            has_more: false,
            policy: Some(bundle),
            reset_required: true,
            remaining: None,
        }),
        j(&PushResponse {
            last_applied_seq: 4,
            rejected: vec![RejectedMutation {
                seq: 2,
                code: RejectCode::Forbidden,
                message: "no".into(),
            }],
            missing_blobs: vec!["b".repeat(64)],
        }),
        j(&PullQuery {
            cursor: 5,
            limit: Some(10),
            policy: Some("abc".into()),
            count: true,
        }),
        j(&RejectedQuery {
            after: 3,
            limit: Some(2),
        }),
        j(&ConflictQuery {
            after: 1,
            limit: None,
            open: true,
        }),
        j(&RejectedPage {
            rejected: vec![RejectedRecord {
                id: 1,
                device_id: DeviceId(id(300)),
                user_id: UserId(id(200)),
                seq: 2,
                code: RejectCode::Invalid,
                message: "bad".into(),
                received_at: at(5),
                op: serde_json::to_value(&mutations[1]).unwrap(),
                bytes: 321,
            }],
            has_more: false,
        }),
        j(&ConflictPage {
            conflicts: vec![EditConflict {
                id: 1,
                kind: revisit_domain::wire::RecordKind::Customer,
                record_id: id(100),
                field: "phone".into(),
                replaced: serde_json::json!({"phone": "1"}),
                replaced_device: DeviceId(id(300)),
                kept: serde_json::json!({"phone": "2"}),
                kept_device: DeviceId(id(301)),
                kept_user: UserId(id(201)),
                at: at(9),
                resolved_with: None,
            }],
            has_more: true,
        }),
        j(&LoginRequest {
            username: "tech1".into(),
            password: "密码".into(),
            device_id: DeviceId(id(300)),
        }),
        j(&LoginResponse {
            token: "t".repeat(43),
            user: SessionUser {
                id: UserId(id(200)),
                name: "张伟".into(),
                role: Role::Technician,
                org_name: "公司".into(),
                team: String::new(),
                must_change_password: true,
            },
        }),
        j(&ChangePasswordRequest {
            current_password: "a".into(),
            new_password: "b".repeat(12),
        }),
        j(&ApiError {
            code: ErrorCode::TooManyAttempts,
            message: "wait".into(),
            retry_after_secs: Some(30),
        }),
        j(&BlobReceipt {
            sha256: "c".repeat(64),
            mime: ImageType::Jpeg,
            bytes: 9,
            received_at: at(1),
        }),
        j(&card),
    ]
}

/// Serialising any sample through one signature.
mod erased {
    pub(crate) trait Json {
        fn json(&self) -> Vec<u8>;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> Vec<u8> {
            serde_json::to_vec(self).expect("a sample serialises")
        }
    }
}

/// Values worth putting anywhere in a JSON document.
const INTERESTING: &[&str] = &[
    "null",
    "true",
    "0",
    "-1",
    "1e400",
    "-1e400",
    "18446744073709551616",
    "9223372036854775808",
    "-9223372036854775809",
    "4294967296",
    "1.5",
    "NaN",
    "\"\"",
    "\"9999-12-31T23:59:59-23:59\"",
    "\"0000-01-01T00:00:00+23:59\"",
    "\"2026-02-30\"",
    "\"+275760-09-13T00:00:00Z\"",
    "\"00000000-0000-0000-0000-000000000000\"",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "[]",
    "{}",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "\"iVBORw0KGgo=\"",
    "{\"kind\":\"create_visit\",\"data\":{}}",
    "\"create_visit\"",
];

/// Strings to put where a string was: ids, instants, dates, hashes, text that is not plausible.
const STRINGS: &[&str] = &[
    "\"\"",
    "\" \"",
    "\"9999-12-31T23:59:59-23:59\"",
    "\"0000-01-01T00:00:00+23:59\"",
    "\"1969-12-31T23:59:59Z\"",
    "\"2100-01-01T00:00:00Z\"",
    "\"2026-11-20T10:00:00+08:00\"",
    "\"2026-11-20\"",
    "\"0000-01-01\"",
    "\"9999-12-31\"",
    "\"2026-02-29\"",
    "\"00000000-0000-0000-0000-000000000000\"",
    "\"0190a000-0000-4000-8000-000000000001\"",
    "\"0190a000-0000-7000-c000-000000000001\"",
    "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"",
    "\"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\"",
    "\"\\u0007王\\u0000\"",
    "\"\\ud83d\\ude00\"",
    "\"technician\"",
    "\"closed\"",
    "\"resolved\"",
    "\"returned\"",
    "\"vip\"",
    "\"image/webp\"",
    "\"blank_number\"",
    "\"phone\"",
];

/// Numbers to put where a number was.
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "2",
    "-1",
    "255",
    "65536",
    "4294967295",
    "4294967296",
    "9007199254740993",
    "9223372036854775807",
    "18446744073709551615",
    "18446744073709551616",
    "1e3",
    "0.5",
    "-0",
    "1e400",
];

/// A mutation of `sample`, maybe spliced with `other`.
fn mutate(rng: &mut Rng, sample: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = sample.to_vec();
    // Mostly one or two changes that keep the JSON well-formed (a value replaced), so that
    // most inputs reach the validation; now and then bytes broken anyhow.
    for _ in 0..1 + rng.below(2) {
        let len = out.len().max(1);
        match rng.below(20) {
            0 => {
                let i = rng.below(len);
                if let Some(b) = out.get_mut(i) {
                    *b ^= 1 << rng.below(8);
                }
            }
            1 => {
                let i = rng.below(len);
                out.insert(i.min(out.len()), rng.next() as u8);
            }
            2 => {
                let i = rng.below(len);
                let n = rng.below(16).min(out.len().saturating_sub(i));
                out.drain(i.min(out.len())..(i + n).min(out.len()));
            }
            3 => {
                // Splice a piece of another sample in.
                let a = rng.below(other.len().max(1));
                let b = (a + rng.below(200)).min(other.len());
                let i = rng.below(len).min(out.len());
                out.splice(i..i, other.get(a..b).unwrap_or(&[]).iter().copied());
            }
            4 => {
                // Duplicate a range (duplicate keys, repeated fields).
                let a = rng.below(len).min(out.len());
                let b = (a + rng.below(120)).min(out.len());
                let piece = out[a..b].to_vec();
                out.splice(b..b, piece);
            }
            5 => out.truncate(rng.below(len)),
            _ => {
                // Replace a JSON value (the text after a ':' up to the next ',' or '}') with an
                // interesting one.
                let colons: Vec<usize> = out
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b':')
                    .map(|(i, _)| i)
                    .collect();
                if colons.is_empty() {
                    continue;
                }
                let start = colons[rng.below(colons.len())] + 1;
                let mut end = start;
                let mut depth = 0i32;
                let mut in_string = false;
                while end < out.len() {
                    let b = out[end];
                    if in_string {
                        if b == b'\\' {
                            end += 1;
                        } else if b == b'"' {
                            in_string = false;
                        }
                    } else if b == b'"' {
                        in_string = true;
                    } else if b == b'[' || b == b'{' {
                        depth += 1;
                    } else if b == b']' || b == b'}' {
                        if depth == 0 {
                            break;
                        }
                        depth -= 1;
                    } else if b == b',' && depth == 0 {
                        break;
                    }
                    end += 1;
                }
                let table = match out.get(start) {
                    Some(b'"') if rng.below(4) > 0 => STRINGS,
                    Some(b'0'..=b'9' | b'-') if rng.below(4) > 0 => NUMBERS,
                    _ => INTERESTING,
                };
                let with = table[rng.below(table.len())].as_bytes();
                out.splice(start..end.min(out.len()), with.iter().copied());
            }
        }
    }
    out
}

/// Values that decoded (and so were validated and written back).
static DECODED: AtomicU64 = AtomicU64::new(0);

/// Findings that are not panics: a property that did not hold.
static BROKEN: AtomicU64 = AtomicU64::new(0);

fn broken(what: &str, input: &[u8]) {
    if BROKEN.fetch_add(1, Ordering::Relaxed) < 10 {
        eprintln!(
            "BROKEN {what}: {}",
            base64::engine::general_purpose::STANDARD.encode(input)
        );
    }
}

/// Reads `input` as a `T`; if it reads, writes it back and reads it again: the same value.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq>(input: &[u8]) -> Option<T> {
    let value: T = serde_json::from_slice(input).ok()?;
    DECODED.fetch_add(1, Ordering::Relaxed);
    let again = serde_json::to_vec(&value).expect("a decoded value serialises");
    match serde_json::from_slice::<T>(&again) {
        Ok(back) if back == value => {}
        _ => broken(std::any::type_name::<T>(), input),
    }
    Some(value)
}

fn validate_op(op: &MutationOp, input: &[u8]) {
    let device = DeviceId(id(300));
    let now = at(0);
    match op {
        MutationOp::CreateVisit(v) => {
            let _ = v.id.check_made();
            let _ = v.validate();
            let _ = v.plausible_at(now);
        }
        MutationOp::EditCustomer(e) => {
            let stored = customer();
            let stamps = Default::default();
            let _ = merge::<Customer>(None, e, device, 9);
            let _ = merge::<Customer>(Some((&stored, &stamps)), e, device, 9);
            let _ = e.changes.iter().all(CustomerChange::technician_may_make);
        }
        MutationOp::RecordEvent(e) => {
            let _ = e.check();
        }
        MutationOp::EditComplaint(e) => {
            if let Ok(m) = merge::<Complaint>(None, e, device, 9) {
                let _ = m.record.check();
                let _ = merge::<Complaint>(Some((&m.record, &m.stamps)), e, DeviceId(id(301)), 10);
            }
        }
        MutationOp::EditIssue(e) => {
            if let Ok(m) = merge::<OpenIssue>(None, e, device, 9) {
                let _ = m.record.needs_follow_up();
                let _ = merge::<OpenIssue>(Some((&m.record, &m.stamps)), e, DeviceId(id(301)), 10);
            }
        }
        MutationOp::CreateReview(r) => {
            let _ = r.check();
        }
    }
    let _ = op.blobs();
    let _ = op.kind();
    let _ = op.record_id();
    let written = serde_json::to_vec(op).expect("an op serialises").len();
    if written > op.size_bound() {
        broken("size_bound below the op's size", input);
    }
}

/// Everything done to one input.
fn exercise(input: &[u8]) {
    if let Some(push) = round_trip::<PushRequest>(input) {
        for m in &push.mutations {
            validate_op(&m.op, input);
        }
        if !push.mutations.is_empty() && push_batch_len(push.mutations.iter().map(|m| &m.op)) == 0 {
            broken("an empty push batch", input);
        }
    }
    if let Ok(envelope) = serde_json::from_slice::<PushEnvelope>(input) {
        for raw in &envelope.mutations {
            let _ = serde_json::from_str::<MutationHead>(raw.get());
            if let Ok(m) = serde_json::from_str::<Mutation>(raw.get()) {
                validate_op(&m.op, input);
            }
        }
    }
    if let Some(m) = round_trip::<Mutation>(input) {
        validate_op(&m.op, input);
    }
    if let Some(op) = round_trip::<MutationOp>(input) {
        validate_op(&op, input);
    }
    if let Some(pull) = round_trip::<PullResponse>(input) {
        for c in &pull.changes {
            match &c.entity {
                Entity::Customer(c) => {
                    let _ = c.check();
                }
                Entity::Visit(v) => {
                    let _ = v.validate();
                }
                Entity::Complaint(c) => {
                    let _ = c.check();
                }
                Entity::Issue(i) => {
                    let _ = i.check();
                }
                Entity::Event(e) => {
                    let _ = e.check();
                }
                Entity::Review(r) => {
                    let _ = r.check();
                }
                Entity::User(_) | Entity::Removed(_) => {}
            }
        }
        if let Some(bundle) = &pull.policy {
            let _ = bundle.validate();
        }
    }
    round_trip::<PushResponse>(input);
    round_trip::<PullQuery>(input);
    round_trip::<RejectedQuery>(input);
    round_trip::<ConflictQuery>(input);
    round_trip::<RejectedPage>(input);
    round_trip::<ConflictPage>(input);
    round_trip::<LoginRequest>(input);
    round_trip::<LoginResponse>(input);
    round_trip::<ChangePasswordRequest>(input);
    round_trip::<ApiError>(input);
    round_trip::<BlobReceipt>(input);
    round_trip::<UserCard>(input);
    round_trip::<Entity>(input);
}

fn main() {
    let mut count: u64 = 1_000_000;
    let mut seed: u64 = 1;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().and_then(|v| v.parse().ok());
        match (flag.as_str(), value) {
            ("--count", Some(n)) => count = n,
            ("--seed", Some(s)) => seed = s,
            _ => {
                eprintln!("usage: wire_fuzz [--count N] [--seed S]");
                std::process::exit(2);
            }
        }
    }
    // Panics are counted and reported here, not printed by the default hook each time.
    std::panic::set_hook(Box::new(|_| {}));
    let samples = samples();
    for s in &samples {
        exercise(s);
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    let panics = AtomicU64::new(0);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (samples, panics) = (&samples, &panics);
            scope.spawn(move || {
                let mut rng = Rng(seed.wrapping_mul(1_000_003).wrapping_add(t));
                let mut n = t;
                while n < count {
                    let sample = &samples[rng.below(samples.len())];
                    let other = &samples[rng.below(samples.len())];
                    let input = mutate(&mut rng, sample, other);
                    if catch_unwind(AssertUnwindSafe(|| exercise(&input))).is_err()
                        && panics.fetch_add(1, Ordering::Relaxed) < 10
                    {
                        println!(
                            "PANIC on input {}",
                            base64::engine::general_purpose::STANDARD.encode(&input)
                        );
                    }
                    n += threads;
                }
            });
        }
    });
    let secs = started.elapsed().as_secs_f64();
    let panics = panics.load(Ordering::Relaxed);
    let broken = BROKEN.load(Ordering::Relaxed);
    println!(
        "{{\"bench\":\"wire_fuzz\",\"inputs\":{count},\"types\":17,\"seconds\":{secs:.1},\"per_second\":{:.0},\"decoded\":{},\"panics\":{panics},\"broken_properties\":{broken},\"seed\":{seed}}}",
        count as f64 / secs,
        DECODED.load(Ordering::Relaxed)
    );
    if panics > 0 || broken > 0 {
        std::process::exit(1);
    }
}
