//! The desk's policy endpoints through the real router: the shipped profiles listed and sent,
//! a policy file checked with its errors by line, adoption (managers and up) reaching devices
//! at their next pull, the `set-policy` task on the same code, and bad input; an
//! administrator's calendar year reaching devices the same way.

use axum::http::StatusCode;
use revisit_domain::{
    policy::{BUILTIN_PROFILES, builtin},
    wire::{
        CalendarEntryReply, CurrentPolicy, OrgCalendar, PolicyBundle, PolicyCheck, PolicyProfiles,
    },
};
use revisit_server::admin;
use serde_json::{Value, json};

#[path = "support/request.rs"]
mod request;
#[path = "support/app.rs"]
mod support;

use support::{TestApp, app, device};

async fn token(app: &TestApp, username: &str) -> String {
    app.login(username, device()).await.token
}

/// The demo's first policy file line by line: the shipped `general` profile renamed.
fn general_copy() -> String {
    BUILTIN_PROFILES[0]
        .1
        .replacen("name = \"一般售后\"", "name = \"我司回访\"", 1)
        .replacen("due = \"7 days\"", "due = \"3 days\"", 1)
}

#[tokio::test]
async fn the_desk_lists_the_shipped_profiles_and_the_one_followed() {
    let app = app(true).await;
    let manager = token(&app, "manager").await;
    let (status, body) = app
        .call("GET", "/api/policy/profiles", Some(&manager), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let list: PolicyProfiles = serde_json::from_value(body).unwrap();
    assert_eq!(list.current.shipped.as_deref(), Some("general"));
    assert_eq!(list.current.name, "一般售后");
    assert_eq!(list.profiles.len(), BUILTIN_PROFILES.len());
    let water = list
        .profiles
        .iter()
        .find(|p| p.key == "water-purifier")
        .unwrap();
    assert_eq!(water.name, "净水器回访");
    assert!(
        water.description.starts_with("净水器回访 — water purifier"),
        "{water:?}"
    );
    assert_eq!(
        water.rules as usize,
        builtin("water-purifier").unwrap().rules.len()
    );
    // A description ends at its first sentence, even when the comment runs on.
    assert!(list.profiles.iter().all(|p| p.description.ends_with('.')
        || p.description.ends_with(':')
        || p.description.ends_with(')')));

    let (status, body) = app
        .call(
            "GET",
            "/api/policy/profiles/water-purifier",
            Some(&manager),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let bundle: PolicyBundle = serde_json::from_value(body).unwrap();
    assert_eq!(
        bundle.validate().unwrap().profile,
        builtin("water-purifier").unwrap()
    );
    assert_ne!(bundle.fingerprint, list.current.fingerprint);

    let (status, body) = app
        .call("GET", "/api/policy/profiles/no-such", Some(&manager), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["code"], "not_found");
}

#[tokio::test]
async fn a_policy_file_with_a_typo_is_answered_with_its_line() {
    let app = app(true).await;
    let manager = token(&app, "manager").await;
    let check = |text: String| {
        let (app, manager) = (&app, manager.clone());
        async move {
            let (status, body) = app
                .json(
                    "POST",
                    "/api/policy/check",
                    Some(&manager),
                    json!({ "toml": text }),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_value::<PolicyCheck>(body).unwrap()
        }
    };
    let PolicyCheck::Valid(bundle) = check(general_copy()).await else {
        panic!("a valid copy")
    };
    assert_eq!(bundle.profile.name, "我司回访");

    // `chanel` for `channel` on the first rule's line.
    let typo = general_copy().replacen("channel = \"phone\"", "chanel = \"phone\"", 1);
    let line = typo.lines().position(|l| l.starts_with("chanel")).unwrap() + 1;
    let PolicyCheck::Invalid(problem) = check(typo).await else {
        panic!("a typo is refused")
    };
    assert_eq!(problem.line, Some(line as u32), "{problem:?}");
    assert!(problem.message.contains("chanel"), "{problem:?}");

    // An unknown trigger: the validator names the rule, and the line of its id.
    let bad = general_copy().replacen("trigger = \"purchase\"", "trigger = \"purchace\"", 1);
    let PolicyCheck::Invalid(problem) = check(bad).await else {
        panic!("an unknown trigger is refused")
    };
    assert_eq!(problem.rule.as_deref(), Some("首次回访"));
    let id_line = general_copy()
        .lines()
        .position(|l| l == "id = \"首次回访\"")
        .unwrap()
        + 1;
    assert_eq!(problem.line, Some(id_line as u32));
    assert!(problem.message.contains("purchace"), "{problem:?}");
}

#[tokio::test]
async fn adopting_a_profile_reaches_devices_at_their_next_pull() {
    let app = app(true).await;
    let manager = token(&app, "manager").await;
    let tech = token(&app, "tech1").await;
    let first = app.pull_page(&tech, 0, 500).await;
    let held = first
        .policy
        .expect("a first pull carries the policy")
        .fingerprint;
    let pull = |held: String| {
        let (app, tech) = (&app, tech.clone());
        async move {
            let uri = format!("/api/sync/pull?cursor={}&policy={held}", first.cursor);
            let (status, body) = app.call("GET", &uri, Some(&tech), None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body
        }
    };
    assert_eq!(pull(held.clone()).await["policy"], Value::Null);

    let (status, body) = app
        .json(
            "POST",
            "/api/policy/adopt",
            Some(&manager),
            json!({ "shipped": "service-center" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let adopted: CurrentPolicy = serde_json::from_value(body).unwrap();
    assert_eq!(adopted.shipped.as_deref(), Some("service-center"));
    let next = pull(held.clone()).await;
    assert_eq!(next["policy"]["profile"]["name"], "客服中心三级回访");
    assert_eq!(next["policy"]["fingerprint"], adopted.fingerprint.as_str());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'adopt_policy'")
            .await,
        1
    );

    // An uploaded file: stored, followed, sent; the list says it is no shipped profile.
    let (status, body) = app
        .json(
            "POST",
            "/api/policy/adopt",
            Some(&manager),
            json!({ "file": general_copy() }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let adopted: CurrentPolicy = serde_json::from_value(body).unwrap();
    assert_eq!((adopted.shipped, adopted.name.as_str()), (None, "我司回访"));
    let next = pull(held.clone()).await;
    let bundle: PolicyBundle = serde_json::from_value(next["policy"].clone()).unwrap();
    assert_eq!(bundle.fingerprint, adopted.fingerprint);
    assert_eq!(
        bundle.validate().unwrap().profile.rules[0].due.to_string(),
        "3 days"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM policy_files").await, 1);
    let (_, body) = app
        .call("GET", "/api/policy/profiles", Some(&manager), None)
        .await;
    assert_eq!(body["current"]["shipped"], Value::Null);
    assert_eq!(body["current"]["name"], "我司回访");

    // The same after a restart (read from the table, not from this process's memory).
    let mut app = app;
    app.restart().await;
    let (_, body) = app
        .call("GET", "/api/policy/profiles", Some(&manager), None)
        .await;
    assert_eq!(body["current"]["fingerprint"], adopted.fingerprint.as_str());

    // The task on the same code: back to a shipped profile, the file no longer followed.
    assert_eq!(
        admin::set_policy(&app.db, None, "general").await.unwrap(),
        "一般售后"
    );
    let (_, body) = app
        .call("GET", "/api/policy/profiles", Some(&manager), None)
        .await;
    assert_eq!(body["current"]["shipped"], "general");
    assert_eq!(body["current"]["fingerprint"], held.as_str());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'adopt_policy'")
            .await,
        3
    );
}

#[tokio::test]
async fn only_managers_and_up_adopt_and_technicians_see_no_policy_pages() {
    let app = app(true).await;
    let tech = token(&app, "tech1").await;
    let admin = token(&app, "admin").await;
    let choice = json!({ "shipped": "furniture" });
    let (status, body) = app
        .json("POST", "/api/policy/adopt", Some(&tech), choice.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "manager_only");
    for uri in ["/api/policy/profiles", "/api/policy/profiles/general"] {
        let (status, body) = app.call("GET", uri, Some(&tech), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{uri}: {body}");
    }
    let (status, _) = app.call("GET", "/api/policy/profiles", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .json("POST", "/api/policy/adopt", None, choice.clone())
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM organisations WHERE policy_profile = 'furniture'")
            .await,
        0
    );

    let (status, body) = app
        .json("POST", "/api/policy/adopt", Some(&admin), choice)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "家具客服");
}

#[tokio::test]
async fn bad_policy_requests_are_refused_and_change_nothing() {
    let app = app(true).await;
    let manager = token(&app, "manager").await;
    let refused = [
        (
            json!({ "shipped": "no-such" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "file": "name = \"x\"\n[[rule]]\nid = 3\n" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "shipped": "general", "file": "" }),
            StatusCode::BAD_REQUEST,
        ),
        (json!({ "colour": "red" }), StatusCode::BAD_REQUEST),
        (json!("general"), StatusCode::BAD_REQUEST),
    ];
    for (body, expected) in refused {
        let (status, reply) = app
            .json("POST", "/api/policy/adopt", Some(&manager), body.clone())
            .await;
        assert_eq!(status, expected, "{body}: {reply}");
        assert!(reply["code"].is_string(), "{body}: JSON error {reply}");
    }
    let (status, reply) = app
        .json(
            "POST",
            "/api/policy/adopt",
            Some(&manager),
            json!({ "file": "name = \"x\"\n[[rule]]\nid = 3\n" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply["message"].as_str().unwrap().starts_with("line 3: "),
        "{reply}"
    );
    let (status, _) = app
        .json(
            "POST",
            "/api/policy/check",
            Some(&manager),
            json!({ "text": "" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .call(
            "POST",
            "/api/policy/check",
            Some(&manager),
            Some(b"{".to_vec()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let big = "# padding\n".repeat(10_000);
    let (status, _) = app
        .json(
            "POST",
            "/api/policy/check",
            Some(&manager),
            json!({ "toml": big }),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.count("SELECT COUNT(*) FROM policy_files").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM organisations WHERE policy_profile = 'general' AND policy_file IS NULL")
            .await,
        1
    );
}

/// The covered years of `GET /api/policy/calendar` as `year:holidays/make-up days:who`.
fn years(calendar: &OrgCalendar) -> Vec<String> {
    calendar
        .years
        .iter()
        .map(|y| {
            format!(
                "{}:{}/{}:{}",
                y.year,
                y.holidays.len(),
                y.make_up_working_days.len(),
                y.entered_by.as_deref().unwrap_or("shipped")
            )
        })
        .collect()
}

#[tokio::test]
async fn an_administrator_enters_a_year_and_devices_get_the_new_calendar_at_their_next_pull() {
    let app = app(true).await;
    let admin = token(&app, "admin").await;
    let manager = token(&app, "manager").await;
    let tech = token(&app, "tech1").await;
    let calendar = |who: String| {
        let app = &app;
        async move {
            let (status, body) = app
                .call("GET", "/api/policy/calendar", Some(&who), None)
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_value::<OrgCalendar>(body).unwrap()
        }
    };
    let shipped = calendar(manager.clone()).await;
    assert_eq!(years(&shipped), ["2025:28/5:shipped", "2026:33/6:shipped"]);
    let first = app.pull_page(&tech, 0, 500).await;
    let held = first.policy.expect("a first pull carries the policy");
    assert_eq!(held.fingerprint, shipped.fingerprint);
    let pull = |held: String| {
        let (app, tech) = (&app, tech.clone());
        async move {
            let uri = format!("/api/sync/pull?cursor={}&policy={held}", first.cursor);
            let (status, body) = app.call("GET", &uri, Some(&tech), None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body
        }
    };
    let enter = |who: String, body: Value| {
        let app = &app;
        async move {
            app.json("POST", "/api/policy/calendar", Some(&who), body)
                .await
        }
    };
    let y2027 = json!({
        "year": 2027,
        "holidays": "2027-01-01，2027-02-06 至 2027-02-12\n2027-10-01~2027-10-07",
        "make_up_working_days": "2027-02-20 2027-10-09",
    });

    // Only administrators enter; technicians do not even read it; bad bodies are refused.
    let (status, body) = enter(manager.clone(), y2027.clone()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("admin_only"))
    );
    let (status, _) = app
        .call("GET", "/api/policy/calendar", Some(&tech), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = enter(admin.clone(), json!({ "year": 2027, "holidays": "" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // A mistyped entry is answered with what is wrong, where; nothing stored.
    for (entry, problem) in [
        (
            json!({ "year": 2027, "holidays": "2027-01-01, 2026-10-01", "make_up_working_days": "" }),
            json!({ "other_year": { "list": "holidays", "date": "2026-10-01" } }),
        ),
        (
            json!({ "year": 2027, "holidays": "2027-01-01", "make_up_working_days": "2027-2-20" }),
            json!({ "not_a_date": { "list": "make_up_working_days", "text": "2027-2-20" } }),
        ),
        (
            json!({ "year": 2027, "holidays": "2027-01-01", "make_up_working_days": "2027-02-19" }),
            json!({ "weekday_make_up": { "date": "2027-02-19" } }),
        ),
        (
            json!({ "year": 2027, "holidays": "", "make_up_working_days": "" }),
            json!("no_holidays"),
        ),
    ] {
        let (status, body) = enter(admin.clone(), entry.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, json!({ "invalid": problem }), "{entry}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM calendars").await, 0);
    assert_eq!(pull(held.fingerprint.clone()).await["policy"], Value::Null);

    // 2027 entered: shown with who entered it, audited, and sent at the next pull.
    let (status, body) = enter(admin.clone(), y2027).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let CalendarEntryReply::Saved(saved) = serde_json::from_value(body).unwrap() else {
        panic!("saved");
    };
    assert_eq!(
        years(&saved),
        ["2025:28/5:shipped", "2026:33/6:shipped", "2027:15/2:admin"]
    );
    assert_ne!(saved.fingerprint, held.fingerprint);
    assert_eq!(calendar(manager.clone()).await, saved);
    let next = pull(held.fingerprint.clone()).await;
    let bundle: PolicyBundle = serde_json::from_value(next["policy"].clone()).unwrap();
    assert_eq!(bundle.fingerprint, saved.fingerprint);
    assert_eq!(bundle.profile, held.profile, "the rules did not change");
    let policy = bundle.validate().unwrap();
    assert_eq!(
        policy.calendar.years().collect::<Vec<_>>(),
        [2025, 2026, 2027]
    );
    let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    assert!(!policy.calendar.is_working_day(d("2027-02-08")));
    assert!(policy.calendar.is_working_day(d("2027-02-20")));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'enter_calendar_year'")
            .await,
        1
    );

    // 2026 entered again replaces the shipped 2026 (a correction): a new version, 2027 kept.
    let (_, body) = enter(
        admin.clone(),
        json!({ "year": 2026, "holidays": "2026-01-01", "make_up_working_days": "" }),
    )
    .await;
    let CalendarEntryReply::Saved(corrected) = serde_json::from_value(body).unwrap() else {
        panic!("saved");
    };
    assert_eq!(
        years(&corrected),
        ["2025:28/5:shipped", "2026:1/0:admin", "2027:15/2:admin"]
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM calendars").await, 2);

    // Another profile keeps the organisation's calendar: adopted, tried, and after a restart.
    let (status, body) = app
        .json(
            "POST",
            "/api/policy/adopt",
            Some(&manager),
            json!({ "shipped": "vehicle-service" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let next = pull(corrected.fingerprint.clone()).await;
    let bundle: PolicyBundle = serde_json::from_value(next["policy"].clone()).unwrap();
    assert_eq!(bundle.fingerprint, body["fingerprint"].as_str().unwrap());
    assert_eq!(bundle.calendar.years, [2025, 2026, 2027]);
    assert_eq!(
        bundle
            .calendar
            .holidays
            .iter()
            .filter(|d| d.to_string().starts_with("2026"))
            .count(),
        1
    );
    let (_, tried) = app
        .call("GET", "/api/policy/profiles/general", Some(&manager), None)
        .await;
    assert_eq!(tried["calendar"], next["policy"]["calendar"]);
    let mut app = app;
    app.restart().await;
    let (_, body) = app
        .call("GET", "/api/policy/calendar", Some(&manager), None)
        .await;
    assert_eq!(body["fingerprint"], bundle.fingerprint.as_str());
}

/// The dry-run's data: a manager exports the organisation's records as the engine's input
/// (what `revisit-policy agenda` and `diff` read), the same as the `export-engine-input` task,
/// and another profile's diff over it answers "what changes for us"; technicians get none.
#[tokio::test]
async fn managers_export_the_organisations_records_for_the_dry_run() {
    use revisit_domain::policy::{EngineInput, Horizon, diff, open_agenda};
    let app = app(true).await;
    let manager = token(&app, "manager").await;
    let tech = token(&app, "tech1").await;
    let (status, body) = app
        .call("GET", "/api/policy/input", Some(&manager), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let input: EngineInput = serde_json::from_value(body).unwrap();
    assert_eq!(
        input,
        revisit_server::policy_input::export(&app.db, None)
            .await
            .unwrap()
    );
    assert_eq!(input.customers.len(), 50);
    let calendar = revisit_domain::policy::WorkCalendar::china();
    let now = chrono::Utc::now();
    let general = builtin("general").unwrap();
    let skeleton = builtin("skeleton").unwrap();
    let current = open_agenda(&general, &calendar, &input, now, Horizon::default());
    let proposed = open_agenda(&skeleton, &calendar, &input, now, Horizon::default());
    let changes = diff(&current, &proposed);
    assert!(changes.vanishes > 0 && changes.customers > 0, "{changes:?}");
    let (status, _) = app
        .call("GET", "/api/policy/input", Some(&tech), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
