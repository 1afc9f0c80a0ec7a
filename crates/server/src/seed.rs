//! First start: an administrator with a one-time password, or a whole demo organisation.

use chrono::{Days, NaiveDate, TimeZone, Utc};
use revisit_domain::{
    Channel, Complaint, ComplaintId, ComplaintStatus, Customer, CustomerId, DeviceId,
    ProblemCategory, Reach, Satisfaction, Severity, Signature, Tier, UserId, VisitId, VisitRecord,
    complaint::ComplaintChannel, time::china, wire::Role,
};
use uuid::Uuid;

use crate::{
    Db,
    auth::{hash_password, new_password},
    db::{Tx, timestamp},
    error::Error,
    store::{
        records::{self, Author},
        users::{self, NewUser},
    },
};

/// The password of every demo user (printed at start; demo data only).
pub const DEMO_PASSWORD: &str = "demo1234";

/// What a first start created, to print.
#[derive(Debug, PartialEq, Eq)]
pub enum Seeded {
    /// The database already had an organisation.
    Nothing,
    /// An administrator and their one-time password.
    Admin {
        /// Login name.
        username: String,
        /// Shown once.
        password: String,
    },
    /// The demo organisation; every user has [`DEMO_PASSWORD`].
    Demo {
        /// `(username, name, role)` of each demo user.
        users: Vec<(String, String, Role)>,
        /// How many customers were created.
        customers: usize,
    },
}

/// Seeds an empty database; leaves one with data alone.
pub async fn seed(db: &Db, demo: bool, today: NaiveDate) -> Result<Seeded, Error> {
    let orgs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organisations")
        .fetch_one(&db.write)
        .await?;
    if orgs > 0 {
        return Ok(Seeded::Nothing);
    }
    if demo {
        seed_demo(db, today).await
    } else {
        seed_admin(db).await
    }
}

async fn seed_admin(db: &Db) -> Result<Seeded, Error> {
    let password = new_password();
    let mut tx = db.begin_write().await?;
    let org = insert_org(db, &mut tx, "我的公司", crate::policy::DEFAULT_PROFILE).await?;
    insert_user(
        db,
        &mut tx,
        org,
        "admin",
        "管理员",
        Role::Admin,
        &password,
        true,
    )
    .await?;
    tx.commit().await?;
    Ok(Seeded::Admin {
        username: "admin".into(),
        password,
    })
}

const SURNAMES: [&str; 10] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
const GIVEN: [&str; 10] = [
    "秀英", "建国", "丽华", "志强", "敏", "海燕", "伟", "静", "磊", "芳",
];
const STREETS: [&str; 5] = [
    "浦东新区张杨路",
    "徐汇区漕溪北路",
    "静安区南京西路",
    "闵行区七莘路",
    "杨浦区国定路",
];
const PRODUCTS: [&str; 4] = [
    "净水器 RO-400G",
    "净水器 RO-600G",
    "前置过滤器 QZ-20",
    "管线机 GX-3",
];

async fn seed_demo(db: &Db, today: NaiveDate) -> Result<Seeded, Error> {
    let mut tx = db.begin_write().await?;
    let org = insert_org(
        db,
        &mut tx,
        "演示售后服务有限公司",
        crate::policy::DEMO_PROFILE,
    )
    .await?;
    let users = vec![
        ("manager".to_string(), "王经理".to_string(), Role::Manager),
        (
            "desk".to_string(),
            "赵客服".to_string(),
            Role::ServiceAssistant,
        ),
        ("admin".to_string(), "孙管理".to_string(), Role::Admin),
        ("tech1".to_string(), "张伟".to_string(), Role::Technician),
        ("tech2".to_string(), "李娜".to_string(), Role::Technician),
    ];
    let mut technicians = Vec::new();
    let mut desk = None;
    for (username, name, role) in &users {
        let id = insert_user(
            db,
            &mut tx,
            org,
            username,
            name,
            *role,
            DEMO_PASSWORD,
            false,
        )
        .await?;
        match role {
            Role::Technician => technicians.push(id),
            Role::ServiceAssistant => desk = Some(id),
            _ => {}
        }
    }
    let desk = desk.expect("the demo has a service assistant");
    let demo_device = DeviceId(Uuid::now_v7());
    let count = 50;
    for i in 0..count {
        let technician_id = technicians[i % technicians.len()];
        let tier = if i % 4 == 0 { Tier::Vip } else { Tier::Normal };
        // A spread of situations, all relative to today, so the agenda is never empty and the
        // month's report has figures: bought this week (first visit due, or already done on
        // time), bought weeks ago and never visited (overdue), and visited before (the next
        // periodic visit done on time, due soon, overdue, or not yet due). Customers alternate
        // between the technicians, so each situation is counted by `i / 2`: both have them all.
        let cadence = if tier == Tier::Vip { 30 } else { 91 };
        let n = i as u64;
        let (bought_days_ago, visited_days_ago): (u64, Vec<u64>) = match (i / 2) % 10 {
            0 => (n % 7, vec![]),
            1 => (2 + n % 5, vec![1 + n % 5]),
            2 => (10 + n % 9, vec![]),
            3 | 4 => (120 + n, vec![cadence - 3 + n % 6]),
            5 | 6 => (200 + n, vec![cadence + 2 + n % 3, 2 + n % 3]),
            _ => (200 + 3 * n, vec![10 + n]),
        };
        let purchased_on = today - Days::new(bought_days_ago);
        let customer = Customer {
            id: CustomerId(Uuid::now_v7()),
            name: format!("{}{}", SURNAMES[i % 10], GIVEN[(i / 10 + i * 3) % 10]),
            phone: format!("1{}{:08}", [38, 39, 58, 86][i % 4], 10_000_000 + i * 7_919),
            address: format!("上海市{}{}号", STREETS[i % 5], 100 + i * 7),
            tier,
            product: PRODUCTS[i % 4].into(),
            purchased_on,
            installed_on: Some(purchased_on + Days::new(1)),
            repaired_on: (i % 6 == 0 && bought_days_ago > 60)
                .then(|| today - Days::new(20 + i as u64 % 15)),
            technician_id,
        };
        insert_customer(db, &mut tx, org, &customer).await?;
        for complaint in demo_complaints(i, today, customer.id, desk) {
            records::put(
                db,
                &mut tx,
                &org.to_string(),
                &complaint,
                Some(technician_id),
                Author::SERVER,
                None,
            )
            .await?;
        }
        // A visit `days_ago` at `hh:00` China time.
        let visit = |days_ago: u64, hour: u32, channel: Channel, reach: Reach, notes: &str| {
            let on = today - Days::new(days_ago);
            let at = china()
                .from_local_datetime(&on.and_hms_opt(hour, 0, 0).expect("valid time"))
                .single();
            VisitRecord {
                id: VisitId(Uuid::now_v7()),
                customer_id: customer.id,
                technician_id,
                device_id: demo_device,
                visited_at: at.map_or_else(Utc::now, |t| t.with_timezone(&Utc)),
                channel,
                reach,
                satisfaction: reach.is_reached().then_some(Satisfaction::ALL[i % 4]),
                notes: notes.into(),
                signature: (channel == Channel::OnSite).then(demo_signature),
                photos: Vec::new(),
                amends: None,
                sha256: String::new(),
            }
            .seal()
        };
        let mut visits = Vec::new();
        // Customers of long standing had their first call (首次回访) within the week.
        if bought_days_ago >= 30 {
            visits.push(visit(
                bought_days_ago - 3,
                10,
                Channel::Phone,
                Reach::Reached,
                "首次回访：安装使用情况良好，已告知保修政策。",
            ));
        }
        let channel = if i % 3 == 0 {
            Channel::OnSite
        } else {
            Channel::Phone
        };
        for days in visited_days_ago {
            let notes = "设备运行正常，已提醒客户按时更换滤芯。";
            visits.push(visit(days, 10, channel, Reach::Reached, notes));
        }
        // A few calls yesterday, after every other visit, hit a blank or wrong number
        // (空号/错号): the agenda flags those customers for correction and keeps their
        // visit open.
        if i % 17 == 5 {
            let reach = [Reach::BlankNumber, Reach::WrongNumber][i % 2];
            let notes = "电话无法接通，需核实客户号码。";
            visits.push(visit(1, 16, Channel::Phone, reach, notes));
        }
        for v in &visits {
            insert_visit(db, &mut tx, org, v).await?;
        }
    }
    tx.commit().await?;
    Ok(Seeded::Demo {
        users,
        customers: count,
    })
}

/// Creates an organisation following the shipped policy profile `profile`.
pub async fn insert_org(db: &Db, tx: &mut Tx, name: &str, profile: &str) -> Result<Uuid, Error> {
    let id = Uuid::now_v7();
    sqlx::query(db.sql(
        "INSERT INTO organisations (id, name, created_at, policy_profile, version)
         VALUES (?, ?, ?, ?, 0)",
    ))
    .bind(id.to_string())
    .bind(name)
    .bind(timestamp(Utc::now()))
    .bind(profile)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Creates a user with an argon2-hashed password (`one_time`: to change at first login).
#[allow(clippy::too_many_arguments)]
pub async fn insert_user(
    db: &Db,
    tx: &mut Tx,
    org: Uuid,
    username: &str,
    name: &str,
    role: Role,
    password: &str,
    one_time: bool,
) -> Result<UserId, Error> {
    let hash = hash_password(password)?;
    users::insert(
        db,
        tx,
        org,
        &NewUser {
            username,
            name,
            role,
            team: "",
            password_hash: &hash,
            one_time,
        },
    )
    .await
}

/// A few complaints in the demo, for each technician: one closed six days ago (its 投诉回访
/// falls due tomorrow), one closed ten days ago and not yet visited (overdue), and one still
/// open (received yesterday), each taken by the service desk.
fn demo_complaints(
    i: usize,
    today: NaiveDate,
    customer: CustomerId,
    desk: UserId,
) -> Vec<Complaint> {
    let at = |days_ago: u64, hour: u32| {
        let on = today - Days::new(days_ago);
        china()
            .from_local_datetime(&on.and_hms_opt(hour, 0, 0).expect("valid time"))
            .single()
            .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
    };
    let complaint = |received: u64, closed: Option<u64>, summary: &str, severity| Complaint {
        id: ComplaintId(Uuid::now_v7()),
        customer_id: customer,
        received_at: at(received, 10),
        channel: ComplaintChannel::Phone,
        category: ProblemCategory::ServiceQuality,
        severity,
        summary: summary.into(),
        taken_by: desk,
        assignee: None,
        status: if closed.is_some() {
            ComplaintStatus::Closed
        } else {
            ComplaintStatus::Open
        },
        replied_at: Some(at(received, 11)),
        closed_at: closed.map(|days| at(days, 16)),
        cause: closed.map_or_else(String::new, |_| "上门服务预约沟通不到位".into()),
        corrective_action: closed.map_or_else(String::new, |_| "已上门处理并回访确认".into()),
    };
    match i {
        14 | 15 => vec![complaint(
            8,
            Some(6),
            "净水器漏水，上门维修不及时",
            Severity::Important,
        )],
        24 | 25 => vec![complaint(
            13,
            Some(10),
            "安装时划伤地板，要求赔偿",
            Severity::General,
        )],
        36 | 37 => vec![complaint(
            1,
            None,
            "滤芯更换后出水有异味",
            Severity::General,
        )],
        _ => Vec::new(),
    }
}

/// Creates a customer; its technician's devices pull it.
pub async fn insert_customer(db: &Db, tx: &mut Tx, org: Uuid, c: &Customer) -> Result<(), Error> {
    records::put(
        db,
        tx,
        &org.to_string(),
        c,
        Some(c.technician_id),
        Author::SERVER,
        None,
    )
    .await?;
    Ok(())
}

async fn insert_visit(db: &Db, tx: &mut Tx, org: Uuid, v: &VisitRecord) -> Result<(), Error> {
    let author = Author {
        user: Some(v.technician_id),
        device: Some(v.device_id),
    };
    let scope = Some(v.technician_id);
    records::put(db, tx, &org.to_string(), v, scope, author, None).await?;
    Ok(())
}

/// A signature-like scribble: dark ink on a transparent 240x80 PNG.
fn demo_signature() -> Signature {
    const W: u32 = 240;
    const H: u32 = 80;
    let mut rgba = vec![0u8; (W * H * 4) as usize];
    for x in 10..W - 10 {
        let t = f64::from(x) / 18.0;
        let y = 40.0 + 22.0 * t.sin() * (1.0 - f64::from(x) / f64::from(W));
        for dy in -1..=1 {
            let py = (y as i64 + dy).clamp(0, i64::from(H) - 1) as u32;
            let at = ((py * W + x) * 4) as usize;
            rgba[at..at + 4].copy_from_slice(&[20, 40, 90, 255]);
        }
    }
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, W, H);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let written = encoder
        .write_header()
        .and_then(|mut w| w.write_image_data(&rgba));
    debug_assert!(written.is_ok(), "encoding the demo signature");
    Signature { png }
}
