//! The IndexedDB layer in a real browser (headless Chromium): what must be written together is.
#![cfg(target_arch = "wasm32")]

use chrono::{TimeZone, Utc};
use revisit::storage::{Storage, meta};
use revisit_domain::{
    Channel, Customer, CustomerId, DeviceId, Reach, Satisfaction, Signature, Tier, UserId, VisitId,
    VisitRecord,
    policy::{CalendarSpec, ConditionSpec, ProfileSpec, RuleSpec},
    visit::MAX_SIGNATURE_BYTES,
    wire::{Change, Entity, MutationOp, PolicyBundle, RejectCode, RejectedMutation},
};
use uuid::Uuid;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

async fn fresh(name: &str) -> Storage {
    Storage::open(&format!("test-{name}-{}", Uuid::now_v7()))
        .await
        .expect("open a fresh database")
}

fn visit(signature_len: usize) -> VisitRecord {
    let data: Vec<u8> = (0..signature_len).map(|i| (i % 251) as u8).collect();
    let png = revisit_domain::image::tiny_png(400, 200, &data);
    VisitRecord {
        id: VisitId(Uuid::now_v7()),
        customer_id: CustomerId(Uuid::from_u128(5)),
        technician_id: UserId(Uuid::from_u128(7)),
        device_id: DeviceId(Uuid::from_u128(9)),
        visited_at: Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap(),
        channel: Channel::OnSite,
        reach: Reach::Reached,
        satisfaction: Some(Satisfaction::Satisfied),
        notes: "滤芯已更换".into(),
        signature: Some(Signature { png }),
        photos: Vec::new(),
        amends: None,
        sha256: String::new(),
    }
    .seal()
}

#[wasm_bindgen_test]
async fn saving_a_visit_writes_the_visit_its_outbox_entry_and_the_seq_together() {
    let db = fresh("save").await;
    let (a, b) = (visit(100), visit(100));
    assert_eq!(db.save_visit(&a).await.unwrap(), 1);
    assert_eq!(db.save_visit(&b).await.unwrap(), 2);
    assert_eq!(db.visits(true).await.unwrap().len(), 2);
    let outbox = db.outbox(10).await.unwrap();
    assert_eq!(outbox.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(db.meta::<u64>(meta::LAST_SEQ).await.unwrap(), Some(2));
    let stored = db
        .visits(true)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.id == a.id)
        .unwrap();
    assert_eq!(stored, a);
    assert_eq!(stored.validate(), Ok(()));
}

/// Signatures are kept apart: the agenda's read has none, the full read has every one, and
/// a phone visit (no signature) reads the same both ways.
#[wasm_bindgen_test]
async fn the_agenda_reads_visits_without_their_signatures() {
    let db = fresh("apart").await;
    let signed = visit(2_000);
    let mut phone = visit(0);
    phone.channel = Channel::Phone;
    phone.signature = None;
    let phone = phone.seal();
    db.save_visit(&signed).await.unwrap();
    db.save_visit(&phone).await.unwrap();
    let pulled = visit(300);
    let change = Change {
        version: 1,
        entity: Entity::Visit(pulled.clone()),
    };
    db.apply_changes(&[change], 1, None).await.unwrap();

    let mut whole = db.visits(true).await.unwrap();
    let mut expected = vec![signed.clone(), phone.clone(), pulled.clone()];
    whole.sort_by_key(|v| v.id);
    expected.sort_by_key(|v| v.id);
    assert_eq!(whole, expected);
    let light = db.visits(false).await.unwrap();
    assert_eq!(light.len(), 3);
    for v in &light {
        let original = expected.iter().find(|e| e.id == v.id).unwrap();
        assert_eq!(v.signature, None, "{:?} carries its signature", v.id);
        assert_eq!(
            VisitRecord {
                signature: original.signature.clone(),
                ..v.clone()
            },
            *original
        );
    }
    // The outbox sends the visit whole.
    let outbox = db.outbox(10).await.unwrap();
    assert!(matches!(&outbox[0].op, MutationOp::CreateVisit(v) if *v == signed));
}

/// A database of version 1 (signatures inside the visit records) opens as version 2 with
/// nothing lost: the old record reads whole both ways, a new one is stored apart.
#[wasm_bindgen_test]
async fn a_version_1_database_keeps_its_signed_visits() {
    use indexed_db_futures::{KeyPath, database::Database, prelude::*};
    let name = format!("test-v1-{}", Uuid::now_v7());
    let old = visit(1_000);
    {
        let db = Database::open(&name)
            .with_version(1u32)
            .with_on_upgrade_needed(|_, db| {
                for (store, key) in [
                    ("customers", "id"),
                    ("visits", "id"),
                    ("users", "id"),
                    ("outbox", "seq"),
                    ("rejected", "seq"),
                    ("meta", "key"),
                ] {
                    db.create_object_store(store)
                        .with_key_path(KeyPath::One(key))
                        .build()?;
                }
                Ok(())
            })
            .await
            .unwrap();
        let tx = db
            .transaction("visits")
            .with_mode(indexed_db_futures::transaction::TransactionMode::Readwrite)
            .build()
            .unwrap();
        tx.object_store("visits")
            .unwrap()
            .add(&old)
            .serde()
            .unwrap();
        tx.commit().await.unwrap();
        db.close();
    }
    let db = Storage::open(&name).await.expect("upgraded to version 2");
    assert_eq!(db.visits(true).await.unwrap(), vec![old.clone()]);
    assert_eq!(db.visits(false).await.unwrap(), vec![old.clone()]);
    let new = visit(500);
    db.save_visit(&new).await.unwrap();
    let whole = db.visits(true).await.unwrap();
    assert!(whole.contains(&old) && whole.contains(&new));
}

#[wasm_bindgen_test]
async fn a_failed_save_rolls_everything_back_and_never_overwrites_a_signature() {
    let db = fresh("rollback").await;
    let original = visit(100);
    db.save_visit(&original).await.unwrap();
    // Same id, other signature: the `add` fails inside the transaction, so neither the
    // outbox entry nor the seq written before it may remain.
    let mut forged = original.clone();
    forged.signature = Some(Signature {
        png: b"\x89PNG\r\n\x1a\nother".to_vec(),
    });
    let forged = forged.seal();
    assert!(db.save_visit(&forged).await.is_err());
    assert_eq!(db.outbox_len().await.unwrap(), 1);
    assert_eq!(db.meta::<u64>(meta::LAST_SEQ).await.unwrap(), Some(1));
    assert_eq!(db.visits(true).await.unwrap(), vec![original]);
}

#[wasm_bindgen_test]
async fn an_invalid_visit_is_refused_before_anything_is_written() {
    let db = fresh("invalid").await;
    let mut v = visit(10);
    v.notes.push('!'); // no longer matches its hash
    assert!(db.save_visit(&v).await.is_err());
    assert_eq!(db.outbox_len().await.unwrap(), 0);
    assert!(db.visits(true).await.unwrap().is_empty());
}

#[wasm_bindgen_test]
async fn a_pulled_batch_is_stored_with_its_cursor_and_keeps_local_visits() {
    let db = fresh("pull").await;
    let local = visit(10);
    db.save_visit(&local).await.unwrap();
    let customer = Customer {
        id: CustomerId(Uuid::from_u128(5)),
        name: "王秀英".into(),
        phone: "13800000000".into(),
        address: "上海市".into(),
        tier: Tier::Vip,
        product: "净水器".into(),
        purchased_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        installed_on: None,
        repaired_on: None,
        technician_id: UserId(Uuid::from_u128(7)),
    };
    let mut other_copy = local.clone();
    other_copy.notes = "server copy".into();
    let changes = vec![
        Change {
            version: 4,
            entity: Entity::Customer(customer.clone()),
        },
        Change {
            version: 5,
            entity: Entity::Visit(other_copy.seal()),
        },
        Change {
            version: 6,
            entity: Entity::Visit(visit(10)),
        },
    ];
    db.apply_changes(&changes, 6, None).await.unwrap();
    assert_eq!(db.meta::<u64>(meta::CURSOR).await.unwrap(), Some(6));
    assert_eq!(db.customers().await.unwrap(), vec![customer]);
    let visits = db.visits(true).await.unwrap();
    assert_eq!(visits.len(), 2);
    assert!(
        visits.contains(&local),
        "the local record must not be replaced"
    );
}

#[wasm_bindgen_test]
async fn acknowledging_drops_applied_entries_and_keeps_rejected_ones() {
    let db = fresh("ack").await;
    for _ in 0..3 {
        db.save_visit(&visit(10)).await.unwrap();
    }
    let rejected = RejectedMutation {
        seq: 2,
        code: RejectCode::Forbidden,
        message: "not yours".into(),
    };
    db.acknowledge(2, &[rejected]).await.unwrap();
    assert_eq!(
        db.outbox(10)
            .await
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect::<Vec<_>>(),
        [3]
    );
    let kept = db.rejected().await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].seq, 2);
    assert!(kept[0].error.as_deref().unwrap().contains("not yours"));
    assert_eq!(kept[0].code, Some(RejectCode::Forbidden));
}

#[wasm_bindgen_test]
async fn the_largest_signature_round_trips_byte_for_byte() {
    let db = fresh("large").await;
    let v = visit(MAX_SIGNATURE_BYTES - 57);
    db.save_visit(&v).await.unwrap();
    let back = db.visits(true).await.unwrap().pop().unwrap();
    assert_eq!(
        back.signature.as_ref().unwrap().png.len(),
        MAX_SIGNATURE_BYTES
    );
    assert_eq!(back, v);
}

/// A one-rule policy named `name`, with a calendar, as the server would send it.
fn policy(name: &str) -> PolicyBundle {
    let day = |s: &str| s.parse().unwrap();
    PolicyBundle::new(
        ProfileSpec {
            name: name.into(),
            call_windows: vec!["09:00-11:00".into()],
            rules: vec![RuleSpec {
                id: "首次回访".into(),
                trigger: Some("purchase".into()),
                kind: "first".into(),
                channel: Some(Channel::Phone),
                due: "7 days".into(),
                when: ConditionSpec {
                    tier: vec!["vip".into()],
                    ..ConditionSpec::default()
                },
                source: "000 §B".into(),
                ..RuleSpec::default()
            }],
            targets: Default::default(),
        },
        CalendarSpec {
            years: vec![2026],
            holidays: vec![day("2026-10-01"), day("2026-10-02")],
            make_up_working_days: vec![day("2026-09-20")],
        },
    )
}

#[wasm_bindgen_test]
async fn a_pulled_policy_is_stored_with_its_batch_and_kept_until_replaced() {
    let db = fresh("policy").await;
    assert_eq!(db.policy().await.unwrap(), None);
    let first = policy("基础回访");
    db.apply_changes(&[], 1, Some(&first)).await.unwrap();
    let back = db.policy().await.unwrap().expect("stored with the batch");
    assert_eq!(back, first);
    assert_eq!(back.validate().unwrap().profile.rules.len(), 1);
    assert_eq!(db.meta::<u64>(meta::CURSOR).await.unwrap(), Some(1));

    // A pull without a policy leaves the stored one alone; a new one replaces it.
    db.apply_changes(&[], 2, None).await.unwrap();
    assert_eq!(db.policy().await.unwrap().as_ref(), Some(&first));
    let second = policy("一般售后");
    assert_ne!(second.fingerprint, first.fingerprint);
    db.apply_changes(&[], 3, Some(&second)).await.unwrap();
    assert_eq!(db.policy().await.unwrap(), Some(second));
}

/// A customer as pulled, owned by technician 7.
fn customer(n: u128) -> Customer {
    Customer {
        id: CustomerId(Uuid::from_u128(n)),
        name: format!("客户{n}"),
        phone: "13800000000".into(),
        address: "上海市".into(),
        tier: Tier::Normal,
        product: "净水器".into(),
        purchased_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        installed_on: None,
        repaired_on: None,
        technician_id: UserId(Uuid::from_u128(7)),
    }
}

/// A complaint, an event and an open issue of customer `n`, as the server sends them.
fn records_of(n: u128) -> Vec<Entity> {
    let customer = Uuid::from_u128(n).to_string();
    let user = Uuid::from_u128(7).to_string();
    let complaint = serde_json::json!({
        "id": Uuid::now_v7(), "customer_id": customer, "received_at": "2026-11-20T02:00:00Z",
        "channel": "phone", "category": "product_quality", "severity": "general",
        "summary": "滤芯异味", "taken_by": user, "status": "open",
    });
    let event = serde_json::json!({
        "id": Uuid::now_v7(), "customer_id": customer, "kind": "installation_completed",
        "at": "2026-11-02T02:00:00Z", "recorded_by": user,
    });
    let issue = serde_json::json!({
        "id": Uuid::now_v7(), "customer_id": customer, "reported_by": user,
        "reported_at": "2026-11-21T02:00:00Z", "category": "technical",
        "description": "水压偏低", "lead_department": "售后部", "promised_on": "2026-11-30",
        "status": "open",
    });
    vec![
        Entity::Complaint(serde_json::from_value(complaint).unwrap()),
        Entity::Event(serde_json::from_value(event).unwrap()),
        Entity::Issue(serde_json::from_value(issue).unwrap()),
    ]
}

fn numbered(entities: Vec<Entity>, from: u64) -> Vec<Change> {
    entities
        .into_iter()
        .enumerate()
        .map(|(n, entity)| Change {
            version: from + n as u64,
            entity,
        })
        .collect()
}

#[wasm_bindgen_test]
async fn every_kind_of_pulled_record_is_stored_with_the_version_an_edit_starts_from() {
    let db = fresh("kinds").await;
    let mut entities = vec![Entity::Customer(customer(5))];
    entities.extend(records_of(5));
    db.apply_changes(&numbered(entities, 10), 13, None)
        .await
        .unwrap();
    assert_eq!(db.customers().await.unwrap(), vec![customer(5)]);
    let complaints = db.complaints_of(CustomerId(Uuid::from_u128(5))).await;
    let complaints = complaints.unwrap();
    assert_eq!(complaints.len(), 1);
    assert_eq!(db.events().await.unwrap().len(), 1);
    let issues = db.issues().await.unwrap();
    assert_eq!(issues.len(), 1);
    assert_eq!(
        db.version(&Uuid::from_u128(5).to_string()).await.unwrap(),
        10
    );
    assert_eq!(db.version(&complaints[0].id.to_string()).await.unwrap(), 11);
    assert_eq!(db.version(&issues[0].id.to_string()).await.unwrap(), 13);
    assert_eq!(db.version("never-pulled").await.unwrap(), 0);
}

#[wasm_bindgen_test]
async fn a_removed_customer_leaves_with_its_records_but_an_unsent_visit_stays() {
    use revisit_domain::wire::Removal;
    let db = fresh("removal").await;
    let mut entities = vec![Entity::Customer(customer(5)), Entity::Customer(customer(6))];
    entities.extend(records_of(5));
    entities.extend(records_of(6));
    let synced = visit(10);
    entities.push(Entity::Visit(synced.clone()));
    db.apply_changes(&numbered(entities, 1), 9, None)
        .await
        .unwrap();
    // Made here before the customer moved, not yet sent: the server still takes it.
    let unsent = visit(20);
    db.save_visit(&unsent).await.unwrap();

    let removal = Entity::Removed(Removal {
        customer_id: CustomerId(Uuid::from_u128(5)),
    });
    db.apply_changes(&numbered(vec![removal], 10), 10, None)
        .await
        .unwrap();
    assert_eq!(db.customers().await.unwrap(), vec![customer(6)]);
    let left = |id: CustomerId| id == CustomerId(Uuid::from_u128(6));
    assert!(
        db.complaints()
            .await
            .unwrap()
            .iter()
            .all(|c| left(c.customer_id))
    );
    assert!(
        db.events()
            .await
            .unwrap()
            .iter()
            .all(|e| left(e.customer_id))
    );
    assert_eq!(db.issues().await.unwrap().len(), 1);
    assert_eq!(db.visits(true).await.unwrap(), vec![unsent]);
    assert_eq!(db.outbox_len().await.unwrap(), 1);
    assert_eq!(
        db.version(&Uuid::from_u128(5).to_string()).await.unwrap(),
        0
    );
    assert_eq!(db.meta::<u64>(meta::CURSOR).await.unwrap(), Some(10));
}

#[wasm_bindgen_test]
async fn a_reset_drops_what_was_pulled_and_keeps_the_outbox_and_the_device() {
    let db = fresh("reset").await;
    let device = DeviceId(Uuid::now_v7());
    db.set_meta(meta::DEVICE_ID, &device).await.unwrap();
    let mut entities = vec![Entity::Customer(customer(5)), Entity::Visit(visit(10))];
    entities.extend(records_of(5));
    db.apply_changes(&numbered(entities, 1), 5, Some(&policy("kept")))
        .await
        .unwrap();
    let unsent = visit(30);
    db.save_visit(&unsent).await.unwrap();

    db.reset_pulled().await.unwrap();
    assert!(db.customers().await.unwrap().is_empty());
    assert!(db.complaints().await.unwrap().is_empty());
    assert!(db.events().await.unwrap().is_empty());
    assert_eq!(db.visits(true).await.unwrap(), vec![unsent]);
    assert_eq!(db.outbox_len().await.unwrap(), 1);
    assert_eq!(db.meta::<u64>(meta::CURSOR).await.unwrap(), Some(0));
    assert_eq!(
        db.meta::<DeviceId>(meta::DEVICE_ID).await.unwrap(),
        Some(device)
    );
    assert!(db.policy().await.unwrap().is_some());
}

/// A database of version 2 (customers carrying their complaints, the cursor of the first
/// protocol) opens as version 3: the customers go (pulled again), the cursor starts over, and
/// the device, its seq, its outbox and every visit stay.
#[wasm_bindgen_test]
async fn a_version_2_database_keeps_the_device_outbox_and_visits_and_pulls_again() {
    use indexed_db_futures::{KeyPath, database::Database, prelude::*};
    let name = format!("test-v2-{}", Uuid::now_v7());
    let kept = visit(100);
    let device = DeviceId(Uuid::now_v7());
    {
        let db = Database::open(&name)
            .with_version(2u32)
            .with_on_upgrade_needed(|_, db| {
                for (store, key) in [
                    ("customers", "id"),
                    ("visits", "id"),
                    ("users", "id"),
                    ("outbox", "seq"),
                    ("rejected", "seq"),
                    ("meta", "key"),
                    ("signed", "id"),
                ] {
                    db.create_object_store(store)
                        .with_key_path(KeyPath::One(key))
                        .build()?;
                }
                Ok(())
            })
            .await
            .unwrap();
        let stores = ["customers", "visits", "outbox", "meta"];
        let tx = db
            .transaction(stores.to_vec())
            .with_mode(indexed_db_futures::transaction::TransactionMode::Readwrite)
            .build()
            .unwrap();
        let mut old_customer = serde_json::to_value(customer(5)).unwrap();
        old_customer["complaints"] = serde_json::json!([{
            "received_at": "2026-11-20T02:00:00Z", "summary": "滤芯异味", "closed_at": null
        }]);
        tx.object_store("customers")
            .unwrap()
            .put(&old_customer)
            .serde()
            .unwrap();
        tx.object_store("visits")
            .unwrap()
            .add(&kept)
            .serde()
            .unwrap();
        tx.object_store("outbox")
            .unwrap()
            .add(serde_json::json!({
                "seq": 1, "op": MutationOp::CreateVisit(kept.clone()), "error": null
            }))
            .serde()
            .unwrap();
        for (key, value) in [
            ("device_id", serde_json::to_value(device).unwrap()),
            ("last_seq", serde_json::json!(1)),
            ("cursor", serde_json::json!(40)),
        ] {
            tx.object_store("meta")
                .unwrap()
                .put(serde_json::json!({ "key": key, "value": value }))
                .serde()
                .unwrap();
        }
        tx.commit().await.unwrap();
        db.close();
    }
    let db = Storage::open(&name).await.expect("upgraded to version 3");
    assert!(db.customers().await.unwrap().is_empty());
    assert_eq!(db.meta::<u64>(meta::CURSOR).await.unwrap(), None);
    assert_eq!(
        db.meta::<DeviceId>(meta::DEVICE_ID).await.unwrap(),
        Some(device)
    );
    assert_eq!(db.meta::<u64>(meta::LAST_SEQ).await.unwrap(), Some(1));
    let outbox = db.outbox(10).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].op, MutationOp::CreateVisit(kept.clone()));
    assert_eq!(db.visits(true).await.unwrap(), vec![kept]);
    // The pull that follows stores customers of the new shape.
    db.apply_changes(&numbered(vec![Entity::Customer(customer(5))], 1), 1, None)
        .await
        .unwrap();
    assert_eq!(db.customers().await.unwrap(), vec![customer(5)]);
}

/// A change made on the desk: the record as merged, shown at once, and its mutation queued
/// with the version it started from, in one transaction.
#[wasm_bindgen_test]
async fn an_edit_made_here_is_shown_at_once_and_queued_with_its_base() {
    use revisit_domain::customer::CustomerChange;
    let db = fresh("edit").await;
    db.apply_changes(&numbered(vec![Entity::Customer(customer(5))], 41), 41, None)
        .await
        .unwrap();
    let mut moved = customer(5);
    moved.technician_id = UserId(Uuid::from_u128(8));
    let base_version = db.version(&moved.id.to_string()).await.unwrap();
    let op = MutationOp::EditCustomer(revisit_domain::edit::Edit {
        id: moved.id,
        base_version,
        changes: vec![CustomerChange::Technician(moved.technician_id)],
    });
    let seq = db
        .save_edit(op.clone(), &Entity::Customer(moved.clone()))
        .await
        .unwrap();
    assert_eq!(seq, 1);
    assert_eq!(db.customers().await.unwrap(), vec![moved.clone()]);
    let outbox = db.outbox(10).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].op, op);
    let MutationOp::EditCustomer(queued) = &outbox[0].op else {
        unreachable!()
    };
    assert_eq!(queued.base_version, 41);
    // The version stays the pulled one until the server's copy comes back.
    assert_eq!(db.version(&moved.id.to_string()).await.unwrap(), 41);
    // A record of another kind than its mutation is refused, and nothing is written.
    assert!(
        db.save_edit(
            op,
            &Entity::Event(match records_of(5).remove(1) {
                Entity::Event(e) => e,
                _ => unreachable!(),
            })
        )
        .await
        .is_err()
    );
    assert_eq!(db.outbox_len().await.unwrap(), 1);
}

/// A visit of customer `n`, signed.
fn visit_of(n: u128) -> VisitRecord {
    let mut v = visit(50);
    v.customer_id = CustomerId(Uuid::from_u128(n));
    v.seal()
}

/// A customer's page reads that customer's records through the stores' index: exactly theirs,
/// signed visits with their signature, whatever else the device holds.
#[wasm_bindgen_test]
async fn a_customers_records_are_read_through_the_index_and_only_theirs() {
    let db = fresh("by-customer").await;
    let (mine, theirs) = (visit_of(5), visit_of(6));
    let mut entities = vec![Entity::Customer(customer(5)), Entity::Customer(customer(6))];
    entities.extend(records_of(5));
    entities.extend(records_of(6));
    // The same visit twice in one page is stored once, and the page still applies.
    entities.extend([
        Entity::Visit(mine.clone()),
        Entity::Visit(theirs.clone()),
        Entity::Visit(mine.clone()),
    ]);
    db.apply_changes(&numbered(entities, 1), 11, None)
        .await
        .unwrap();
    let made_here = visit_of(5);
    db.save_visit(&made_here).await.unwrap();

    let five = CustomerId(Uuid::from_u128(5));
    let mut expected = vec![mine, made_here];
    expected.sort_by_key(|v| v.id);
    assert_eq!(db.visits_of(five).await.unwrap(), expected);
    assert!(expected.iter().all(|v| v.signature.is_some()));
    let events = db.events_of(five).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].customer_id, five);
    let complaints = db.complaints_of(five).await.unwrap();
    assert_eq!(complaints.len(), 1);
    assert_eq!(complaints[0].customer_id, five);
    assert_eq!(db.visits(false).await.unwrap().len(), 3);
    assert!(
        db.visits_of(CustomerId(Uuid::from_u128(99)))
            .await
            .unwrap()
            .is_empty()
    );
}

/// A database of version 3 (no customer index) opens as version 5 with the records already
/// stored indexed, their digests built at the first read, and nothing lost.
#[wasm_bindgen_test]
async fn a_version_3_database_indexes_the_records_it_already_holds() {
    use indexed_db_futures::{KeyPath, database::Database, prelude::*};
    let name = format!("test-v3-{}", Uuid::now_v7());
    let signed = visit_of(5);
    let complaint = match records_of(5).remove(0) {
        Entity::Complaint(c) => c,
        _ => unreachable!(),
    };
    {
        let db = Database::open(&name)
            .with_version(3u32)
            .with_on_upgrade_needed(|_, db| {
                for (store, key) in [
                    ("customers", "id"),
                    ("visits", "id"),
                    ("users", "id"),
                    ("outbox", "seq"),
                    ("rejected", "seq"),
                    ("meta", "key"),
                    ("signed", "id"),
                    ("events", "id"),
                    ("complaints", "id"),
                    ("issues", "id"),
                    ("reviews", "id"),
                    ("versions", "id"),
                ] {
                    db.create_object_store(store)
                        .with_key_path(KeyPath::One(key))
                        .build()?;
                }
                Ok(())
            })
            .await
            .unwrap();
        let tx = db
            .transaction(["visits", "signed", "complaints"])
            .with_mode(indexed_db_futures::transaction::TransactionMode::Readwrite)
            .build()
            .unwrap();
        let mut unsigned = signed.clone();
        unsigned.signature = None;
        tx.object_store("signed")
            .unwrap()
            .add(&signed)
            .serde()
            .unwrap();
        tx.object_store("visits")
            .unwrap()
            .add(&unsigned)
            .serde()
            .unwrap();
        tx.object_store("complaints")
            .unwrap()
            .add(&complaint)
            .serde()
            .unwrap();
        tx.commit().await.unwrap();
        db.close();
    }
    let db = Storage::open(&name).await.expect("upgraded to version 5");
    let five = CustomerId(Uuid::from_u128(5));
    assert_eq!(db.visits_of(five).await.unwrap(), vec![signed.clone()]);
    // The digests (version 5) are built from what was there at the first read.
    let digests = db.digests().await.unwrap();
    assert_eq!(digests.len(), 1);
    assert_eq!(digests[0].visits.len(), 1);
    assert_eq!(digests[0].complaints.len(), 1);
    assert_eq!(db.complaints_of(five).await.unwrap(), vec![complaint]);
    assert_eq!(db.visits(true).await.unwrap(), vec![signed]);
    db.close();
    // Opening again finds nothing left to upgrade.
    let again = Storage::open(&name).await.expect("opened again");
    assert_eq!(again.visits_of(five).await.unwrap().len(), 1);
}

/// Every write keeps each customer's digest in step with the records, in the same
/// transaction: pulled pages (a visit twice, a complaint closed in a later copy, a removal), a
/// visit made here and an edit made here give the same digests as building them again from
/// the records.
#[wasm_bindgen_test]
async fn every_write_keeps_the_digests_as_the_records_would_make_them() {
    use revisit_domain::{customer::CustomerChange, wire::Removal};
    let db = fresh("digests").await;
    // Built once (empty); from here on, writes patch them.
    assert!(db.digests().await.unwrap().is_empty());
    let (five, six) = (
        CustomerId(Uuid::from_u128(5)),
        CustomerId(Uuid::from_u128(6)),
    );
    let pulled = visit_of(5);
    let mut entities = vec![Entity::Customer(customer(5)), Entity::Customer(customer(6))];
    entities.extend(records_of(5));
    entities.extend(records_of(6));
    entities.extend([Entity::Visit(pulled.clone()), Entity::Visit(visit_of(6))]);
    db.apply_changes(&numbered(entities, 1), 10, None)
        .await
        .unwrap();
    let mut complaint = db.complaints_of(five).await.unwrap().remove(0);
    complaint.closed_at = Some(Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap());
    let page = vec![
        Entity::Visit(pulled.clone()),
        Entity::Complaint(complaint.clone()),
        Entity::Removed(Removal { customer_id: six }),
    ];
    db.apply_changes(&numbered(page, 11), 13, None)
        .await
        .unwrap();
    let made_here = visit_of(5);
    db.save_visit(&made_here).await.unwrap();
    let mut renamed = customer(5);
    renamed.name = "王芳".into();
    let op = MutationOp::EditCustomer(revisit_domain::edit::Edit {
        id: renamed.id,
        base_version: 1,
        changes: vec![CustomerChange::Name(renamed.name.clone())],
    });
    db.save_edit(op, &Entity::Customer(renamed.clone()))
        .await
        .unwrap();

    let patched = db.digests().await.unwrap();
    assert_eq!(patched.len(), 1, "customer 6 left with their records");
    let d = &patched[0];
    assert_eq!(d.customer.as_ref(), Some(&renamed));
    let mut visits: Vec<VisitId> = d.visits.iter().map(|(f, _)| f.id).collect();
    visits.sort();
    let mut expected = vec![pulled.id, made_here.id];
    expected.sort();
    assert_eq!(visits, expected);
    assert_eq!(
        d.complaints,
        vec![(complaint.id, complaint.received_at, complaint.closed_at)]
    );
    assert_eq!(d.events.len(), 1);
    let rebuilt = db.rebuild_digests().await.unwrap();
    let sorted = |mut ds: Vec<revisit_domain::digest::CustomerDigest>| {
        for d in &mut ds {
            d.visits.sort_by_key(|(f, _)| f.id);
        }
        ds
    };
    assert_eq!(sorted(patched), sorted(rebuilt));
}

/// A digest whose bytes are damaged is not trusted: every digest is built again from the
/// records, which are whole.
#[wasm_bindgen_test]
async fn a_damaged_digest_is_built_again_from_the_records() {
    use indexed_db_futures::{database::Database, prelude::*};
    let name = format!("test-damaged-{}", Uuid::now_v7());
    let db = Storage::open(&name).await.unwrap();
    db.apply_changes(
        &numbered(
            vec![Entity::Customer(customer(5)), Entity::Visit(visit_of(5))],
            1,
        ),
        2,
        None,
    )
    .await
    .unwrap();
    let whole = db.digests().await.unwrap();
    assert_eq!(whole.len(), 1);
    db.close();
    {
        let raw = Database::open(&name).await.unwrap();
        let tx = raw
            .transaction(["digests"])
            .with_mode(indexed_db_futures::transaction::TransactionMode::Readwrite)
            .build()
            .unwrap();
        let damaged = js_sys::Uint8Array::from(&[1u8, 2, 3][..]);
        tx.object_store("digests")
            .unwrap()
            .put(wasm_bindgen::JsValue::from(damaged))
            .with_key(Uuid::from_u128(5).to_string())
            .primitive()
            .unwrap();
        tx.commit().await.unwrap();
        raw.close();
    }
    let db = Storage::open(&name).await.unwrap();
    assert_eq!(db.digests().await.unwrap(), whole);
}
