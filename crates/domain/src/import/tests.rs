//! The import planner: each row an addition, a change (old → new), unchanged, or problems by
//! row and column.

use chrono::NaiveDate;
use uuid::Uuid;

use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const TODAY: (i32, u32, u32) = (2026, 11, 30);

fn technicians() -> Vec<KnownTechnician> {
    vec![
        KnownTechnician {
            id: UserId(Uuid::from_u128(1)),
            username: Some("tech1".into()),
            name: "张伟".into(),
        },
        KnownTechnician {
            id: UserId(Uuid::from_u128(2)),
            username: None,
            name: "李娜".into(),
        },
    ]
}

fn existing() -> Vec<Customer> {
    vec![Customer {
        id: CustomerId(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0100)),
        name: "王小明".into(),
        phone: "13812345678".into(),
        address: "上海市浦东新区张杨路1号".into(),
        tier: Tier::Vip,
        product: "净水器 RO-400G".into(),
        purchased_on: day(2026, 11, 20),
        installed_on: None,
        repaired_on: None,
        technician_id: UserId(Uuid::from_u128(1)),
    }]
}

fn run(text: &str) -> ImportPlan {
    let mut n = 0x0190_0000_0000_7000_8000_0000_0000_0200u128;
    let (y, m, d) = TODAY;
    plan(text, &existing(), &technicians(), day(y, m, d), || {
        n += 1;
        CustomerId(Uuid::from_u128(n))
    })
}

/// The plan's problems as the server prints them.
fn check_problems(text: &str, expected: &[&str]) {
    let plan = run(text);
    let got: Vec<String> = plan.problems.iter().map(ToString::to_string).collect();
    assert_eq!(got, expected, "{text:?}");
    assert!(!plan.applicable());
}

const HEADER: &str = "姓名,电话,地址,等级,产品,购买日期,安装日期,技术员\n";

#[test]
fn a_new_customer_is_added_with_the_technician_found_by_login_or_name() {
    let plan = run(&format!(
        "{HEADER}赵六,137 0000 0000,\"北京市, 东城区\",普通,净水器,2026/1/5,,tech1\n\
         钱七,13600000000,广州,vip客户,管线机,2026-11-01,2026-11-02,李娜\n"
    ));
    assert_eq!(plan.problems, []);
    assert_eq!(
        plan.counts(),
        PlanCounts {
            added: 2,
            changed: 0,
            unchanged: 0
        }
    );
    let RowAction::Add(zhao) = &plan.rows[0].action else {
        panic!("{:?}", plan.rows[0]);
    };
    assert_eq!(plan.rows[0].row, 2);
    assert_eq!(zhao.address, "北京市, 东城区");
    assert_eq!(zhao.purchased_on, day(2026, 1, 5));
    assert_eq!(zhao.tier, Tier::Normal);
    assert_eq!(zhao.technician_id, UserId(Uuid::from_u128(1)));
    let RowAction::Add(qian) = &plan.rows[1].action else {
        panic!("{:?}", plan.rows[1]);
    };
    assert_eq!(qian.tier, Tier::Vip);
    assert_eq!(qian.installed_on, Some(day(2026, 11, 2)));
    assert_eq!(qian.technician_id, UserId(Uuid::from_u128(2)));
    assert_ne!(
        zhao.id, qian.id,
        "each added customer gets an id of its own"
    );
    assert!(plan.applicable());
}

#[test]
fn a_customer_found_by_phone_is_changed_field_by_field() {
    // Same number written with spaces; a new installation date and another technician.
    let plan = run(&format!(
        "{HEADER}王小明,138 1234 5678,上海市浦东新区张杨路1号,VIP,净水器 RO-400G,2026-11-20,2026-11-21,李娜\n"
    ));
    assert_eq!(plan.problems, []);
    let RowAction::Change {
        before,
        after,
        changes,
    } = &plan.rows[0].action
    else {
        panic!("{:?}", plan.rows[0]);
    };
    assert_eq!(before, &existing()[0]);
    assert_eq!(after.id, before.id);
    assert_eq!(
        changes,
        &[
            CustomerChange::Phone("138 1234 5678".into()),
            CustomerChange::Technician(UserId(Uuid::from_u128(2))),
            CustomerChange::InstalledOn(Some(day(2026, 11, 21))),
        ]
    );
    assert_eq!(after.installed_on, Some(day(2026, 11, 21)));
    assert_eq!(plan.counts().changed, 1);
}

#[test]
fn a_customer_found_by_name_and_address_gets_a_new_phone_number() {
    let plan = run(&format!(
        "{HEADER}王小明,13900001111,上海市浦东新区张杨路1号,VIP,净水器 RO-400G,2026-11-20,,tech1\n"
    ));
    let RowAction::Change { changes, .. } = &plan.rows[0].action else {
        panic!("{:?}", plan.rows[0]);
    };
    assert_eq!(changes, &[CustomerChange::Phone("13900001111".into())]);
}

#[test]
fn a_customer_found_by_id_may_change_name_and_phone() {
    let id = existing()[0].id;
    let plan = run(&format!(
        "id,name,phone,address,tier,product,purchased_on,technician\n\
         {id},王晓明,13900001111,上海市浦东新区张杨路1号,VIP,净水器 RO-400G,2026-11-20,tech1\n"
    ));
    let RowAction::Change { changes, .. } = &plan.rows[0].action else {
        panic!("{:?}", plan);
    };
    assert_eq!(
        changes,
        &[
            CustomerChange::Name("王晓明".into()),
            CustomerChange::Phone("13900001111".into())
        ]
    );
    check_problems(
        "id,name,phone,address,tier,product,purchased_on,technician\n\
         0190-nope,王晓明,13900001111,上海,VIP,净水器,2026-11-20,tech1\n",
        &["row 2, id: no customer has the id \"0190-nope\""],
    );
}

#[test]
fn a_row_as_stored_is_unchanged() {
    let plan = run(&format!(
        "{HEADER}王小明,13812345678,上海市浦东新区张杨路1号,VIP,净水器 RO-400G,2026-11-20,,张伟\n"
    ));
    assert_eq!(
        plan.rows[0].action,
        RowAction::Unchanged(existing()[0].clone())
    );
    assert_eq!(plan.counts().unchanged, 1);
    assert!(
        plan.applicable(),
        "a plan of unchanged rows may be applied (it does nothing)"
    );
}

#[test]
fn every_problem_is_named_by_row_and_column() {
    check_problems(
        "name,phone,address,tier,product,purchased_on,technician\n\
         赵六,13700000000,北京,VIP,净水器,2026-11-01,tech1\n\
         ,电话,上海,gold,净水器,2030-01-01,manager\n\
         钱七,13600000000,广州,普通,净水器,2026-13-01,tech2\n\
         孙八,13500000000,广州,普通,净水器,2026-02-30,张伟\n",
        &[
            "row 3, name: empty",
            "row 3, phone: \"电话\" is not a phone number",
            "row 3, tier: \"gold\" is neither VIP nor 普通",
            "row 3, purchased_on: 2030-01-01 is in the future",
            "row 3, technician: \"manager\" is not a technician of the organisation",
            "row 4, purchased_on: \"2026-13-01\" is not a date like 2026-11-30",
            "row 4, technician: \"tech2\" is not a technician of the organisation",
            "row 5, purchased_on: \"2026-02-30\" is not a date like 2026-11-30",
        ],
    );
}

#[test]
fn dates_before_the_purchase_and_too_long_names_are_problems() {
    let long = "长".repeat(101);
    check_problems(
        &format!(
            "{HEADER}赵六,13700000000,北京,VIP,净水器,2026-11-01,2026-10-01,tech1\n\
             {long},13700000001,北京,VIP,净水器,2026-11-01,,tech1\n"
        ),
        &[
            "row 2, installed_on: 2026-10-01 is before the purchase (2026-11-01)",
            "row 3, name: is 101 characters long; at most 100 are allowed",
        ],
    );
}

#[test]
fn the_same_customer_twice_in_a_file_is_a_problem() {
    check_problems(
        &format!(
            "{HEADER}赵六,13700000000,北京,VIP,净水器,2026-11-01,,tech1\n\
             赵六,137-0000-0000,北京,VIP,净水器,2026-11-01,,tech1\n\
             王小明,13812345678,上海市浦东新区张杨路1号,VIP,净水器 RO-400G,2026-11-20,,tech1\n\
             王小明,13812345678,上海市浦东新区张杨路1号,VIP,净水器 RO-400G,2026-11-20,,tech1\n"
        ),
        &[
            "row 3, phone: the same customer as row 2",
            "row 5: the same customer as row 4",
        ],
    );
}

#[test]
fn the_header_is_checked_before_any_row() {
    check_problems(
        "姓名,电话,颜色,姓名\n张三,1\n",
        &[
            "row 1: unknown column \"颜色\"",
            "row 1: the column \"姓名\" appears twice",
            "row 1: the column 地址 (address) is missing",
            "row 1: the column 等级 (tier) is missing",
            "row 1: the column 产品 (product) is missing",
            "row 1: the column 购买日期 (purchased_on) is missing",
            "row 1: the column 技术员 (technician) is missing",
        ],
    );
    check_problems("", &["row 1: the file has no header row"]);
    check_problems(
        &format!("{HEADER}\"赵六,1\n"),
        &["row 2: a quoted field is never closed"],
    );
}

#[test]
fn rows_with_more_fields_than_the_header_are_problems_unless_the_extra_ones_are_empty() {
    check_problems(
        &format!("{HEADER}赵六,13700000000,北京,VIP,净水器,2026-11-01,,tech1,多余\n"),
        &["row 2: 1 fields more than the header"],
    );
    let plan = run(&format!(
        "{HEADER}赵六,13700000000,北京,VIP,净水器,2026-11-01,,tech1,,\n"
    ));
    assert_eq!(plan.problems, []);
}

#[test]
fn dates_are_read_as_spreadsheets_write_them_and_must_exist() {
    assert_eq!(parse_date("2026-11-30"), Some(day(2026, 11, 30)));
    assert_eq!(parse_date("2026/1/5"), Some(day(2026, 1, 5)));
    assert_eq!(parse_date("2024/02/29"), Some(day(2024, 2, 29)));
    for bad in [
        "2026-02-29",
        "2026-13-01",
        "2026/11",
        "26/11/30",
        "2026-11-30-1",
        "2026-1x-01",
        "1900-01-01",
        "",
    ] {
        assert_eq!(parse_date(bad), None, "{bad:?}");
    }
}
