//! People on the desk through the real router: an administrator adds users with one-time
//! passwords, resets them, deactivates and reactivates, changes roles and teams; managers may
//! only list; every refusal is a JSON code; devices see the changed cards at their next pull.

use axum::http::StatusCode;
use revisit_domain::{
    DeviceId,
    wire::{Entity, OneTimePassword, Person, Role, UserCard},
};
use revisit_server::{admin, seed};
use serde_json::{Value, json};
use uuid::Uuid;

#[path = "support/request.rs"]
mod request;
#[path = "support/app.rs"]
mod support;

use support::{TestApp, app, device};

/// Logs `username` in with `password`: the status and the reply.
async fn login_with(app: &TestApp, username: &str, password: &str) -> (StatusCode, Value) {
    app.json(
        "POST",
        "/api/auth/login",
        None,
        json!({"username": username, "password": password, "device_id": device()}),
    )
    .await
}

async fn token(app: &TestApp, username: &str) -> String {
    app.login(username, device()).await.token
}

/// Adds a person as `admin`; the reply must be 201.
async fn add(app: &TestApp, admin: &str, username: &str, role: &str) -> OneTimePassword {
    let (status, body) = app
        .json(
            "POST",
            "/api/people",
            Some(admin),
            json!({"username": username, "name": "新同事", "role": role, "team": " 一组 "}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    serde_json::from_value(body).unwrap()
}

async fn people(app: &TestApp, token: &str) -> Vec<Person> {
    let (status, body) = app.call("GET", "/api/people", Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

async fn patch(
    app: &TestApp,
    token: &str,
    id: impl std::fmt::Display,
    body: Value,
) -> (StatusCode, Value) {
    app.json("PATCH", &format!("/api/people/{id}"), Some(token), body)
        .await
}

fn code(body: &Value) -> Option<&str> {
    body["code"].as_str()
}

/// The cards a pull after `cursor` brings.
async fn cards_after(app: &TestApp, token: &str, cursor: u64) -> Vec<UserCard> {
    let page = app.pull_page(token, cursor, 500).await;
    page.changes
        .into_iter()
        .filter_map(|c| match c.entity {
            Entity::User(card) => Some(card),
            _ => None,
        })
        .collect()
}

/// Pulls everything and returns the cursor reached.
async fn cursor_now(app: &TestApp, token: &str) -> u64 {
    let mut cursor = 0;
    loop {
        let page = app.pull_page(token, cursor, 500).await;
        cursor = page.cursor;
        if !page.has_more {
            return cursor;
        }
    }
}

#[tokio::test]
async fn an_added_person_logs_in_once_with_the_password_shown_then_chooses_their_own() {
    let app = app(true).await;
    let admin = token(&app, "admin").await;
    let tech1 = token(&app, "tech1").await;
    let seen = cursor_now(&app, &tech1).await;

    let added = add(&app, &admin, "wang.fang", "technician").await;
    assert_eq!(added.password.chars().count(), 12);
    let p = &added.person;
    assert_eq!(
        (
            p.username.as_str(),
            p.name.as_str(),
            p.role,
            p.team.as_str()
        ),
        ("wang.fang", "新同事", Role::Technician, "一组")
    );
    assert!(p.active && p.must_change_password && p.last_login.is_none());
    // Every device of the organisation sees the new card at its next pull.
    let cards = cards_after(&app, &tech1, seen).await;
    assert!(
        cards.iter().any(|c| c.id == p.id && c.team == "一组"),
        "{cards:?}"
    );

    let (status, body) = login_with(&app, "wang.fang", &added.password).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["must_change_password"], json!(true));
    let theirs = body["token"].as_str().unwrap().to_owned();
    let (status, body) = app
        .call("GET", "/api/sync/pull?cursor=0", Some(&theirs), None)
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, Some("password_change_required"))
    );
    let (status, body) = app
        .json(
            "POST",
            "/api/auth/password",
            Some(&theirs),
            json!({"current_password": added.password, "new_password": "my-own-secret"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(app.pull_page(&theirs, 0, 500).await.changes.len() > 1);

    let listed = people(&app, &admin).await;
    let them = listed.iter().find(|q| q.id == p.id).unwrap();
    assert!(!them.must_change_password);
    assert!(them.last_login.is_some() && them.last_sync.is_some());
    assert_eq!(listed.len(), 6);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND kind = 'user' AND user_id IS NOT NULL"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn managers_may_only_list_and_everyone_else_is_refused() {
    let app = app(true).await;
    let manager = token(&app, "manager").await;
    assert_eq!(people(&app, &manager).await.len(), 5);
    let (status, body) = app
        .json(
            "POST",
            "/api/people",
            Some(&manager),
            json!({"username": "x1", "name": "某人", "role": "technician"}),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, Some("admin_only"))
    );
    let someone = people(&app, &manager).await[0].id;
    let (status, body) = patch(&app, &manager, someone, json!({"active": false})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, Some("admin_only"))
    );
    let (status, body) = app
        .call(
            "POST",
            &format!("/api/people/{someone}/password"),
            Some(&manager),
            None,
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, Some("admin_only"))
    );
    for who in ["desk", "tech1"] {
        let t = token(&app, who).await;
        let (status, body) = app.call("GET", "/api/people", Some(&t), None).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::FORBIDDEN, Some("manager_only")),
            "{who}"
        );
    }
    let (status, body) = app.call("GET", "/api/people", None, None).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 5);
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field_it_concerns_and_nothing_is_stored() {
    let app = app(true).await;
    let admin = token(&app, "admin").await;
    let cases = [
        (
            json!({"username": "two words", "name": "张伟", "role": "technician"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_username",
        ),
        (
            json!({"username": "张伟", "name": "张伟", "role": "technician"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_username",
        ),
        (
            json!({"username": "", "name": "张伟", "role": "technician"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_username",
        ),
        (
            json!({"username": "zw", "name": "   ", "role": "technician"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_name",
        ),
        (
            json!({"username": "zw", "name": "张伟", "role": "technician", "team": "组".repeat(65)}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_team",
        ),
        (
            json!({"username": "tech1", "name": "张伟", "role": "technician"}),
            StatusCode::CONFLICT,
            "username_taken",
        ),
        (
            json!({"username": "zw", "name": "张伟", "role": "root"}),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            json!({"username": "zw", "name": "张伟", "role": "admin", "password": "x"}),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
    ];
    for (body, want_status, want_code) in cases {
        let (status, reply) = app
            .json("POST", "/api/people", Some(&admin), body.clone())
            .await;
        assert_eq!(
            (status, code(&reply)),
            (want_status, Some(want_code)),
            "{body}"
        );
        assert!(reply["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 5);
    let tech1 = people(&app, &admin)
        .await
        .into_iter()
        .find(|p| p.username == "tech1")
        .unwrap();
    let (status, reply) = patch(&app, &admin, tech1.id, json!({"team": "\u{7}"})).await;
    assert_eq!(
        (status, code(&reply)),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_team"))
    );
    let (status, reply) = patch(&app, &admin, tech1.id, json!({"role": "root"})).await;
    assert_eq!(
        (status, code(&reply)),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
    let (status, reply) = patch(&app, &admin, "not-an-id", json!({"active": false})).await;
    assert_eq!(
        (status, code(&reply)),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
}

#[tokio::test]
async fn a_reset_ends_every_old_session_and_hands_out_a_new_one_time_password() {
    let app = app(true).await;
    let admin = token(&app, "admin").await;
    let old = token(&app, "tech1").await;
    let other_device = token(&app, "tech1").await;
    let tech1 = people(&app, &admin)
        .await
        .into_iter()
        .find(|p| p.username == "tech1")
        .unwrap();
    let (status, body) = app
        .call(
            "POST",
            &format!("/api/people/{}/password", tech1.id),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let reset: OneTimePassword = serde_json::from_value(body).unwrap();
    assert!(reset.person.must_change_password);
    for t in [&old, &other_device] {
        let (status, body) = app
            .call("GET", "/api/sync/pull?cursor=0", Some(t), None)
            .await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::UNAUTHORIZED, Some("unauthorized"))
        );
    }
    let (status, _) = login_with(&app, "tech1", seed::DEMO_PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = login_with(&app, "tech1", &reset.password).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["must_change_password"], json!(true));
    // The administrator's own password is changed on their password page, not reset here.
    let me = people(&app, &admin)
        .await
        .into_iter()
        .find(|p| p.username == "admin")
        .unwrap();
    let (status, body) = app
        .call(
            "POST",
            &format!("/api/people/{}/password", me.id),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, Some("own_account"))
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'reset_password'")
            .await,
        1
    );
}

#[tokio::test]
async fn deactivation_logs_the_person_out_everywhere_until_they_are_reactivated() {
    let app = app(true).await;
    let admin = token(&app, "admin").await;
    let manager = token(&app, "manager").await;
    let seen = cursor_now(&app, &manager).await;
    let theirs = token(&app, "tech2").await;
    let tech2 = people(&app, &admin)
        .await
        .into_iter()
        .find(|p| p.username == "tech2")
        .unwrap();

    let (status, body) = patch(&app, &admin, tech2.id, json!({"active": false})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let now: Person = serde_json::from_value(body).unwrap();
    assert!(!now.active);
    let (status, body) = app
        .call("GET", "/api/sync/pull?cursor=0", Some(&theirs), None)
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let (status, body) = login_with(&app, "tech2", seed::DEMO_PASSWORD).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, Some("account_disabled"))
    );
    let cards = cards_after(&app, &manager, seen).await;
    assert!(
        cards.iter().any(|c| c.id == tech2.id && !c.active),
        "{cards:?}"
    );

    let (status, body) = patch(&app, &admin, tech2.id, json!({"active": true})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = login_with(&app, "tech2", seed::DEMO_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('deactivate', 'activate') AND user_id IS NOT NULL")
            .await,
        2
    );
}

#[tokio::test]
async fn the_organisation_always_keeps_an_active_administrator() {
    let app = app(true).await;
    let admin = token(&app, "admin").await;
    let me = people(&app, &admin)
        .await
        .into_iter()
        .find(|p| p.username == "admin")
        .unwrap();
    for change in [json!({"active": false}), json!({"role": "manager"})] {
        let (status, body) = patch(&app, &admin, me.id, change).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::CONFLICT, Some("own_account"))
        );
    }
    // Nor from the command line, where nobody is "themselves".
    assert!(matches!(
        admin::set_active(&app.db, "admin", false).await,
        Err(admin::TaskError::Input(m)) if m.contains("administrator")
    ));
    // With a second administrator, either may go.
    let second = add(&app, &admin, "admin2", "admin").await;
    let (status, body) = patch(&app, &admin, second.person.id, json!({"role": "director"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = patch(&app, &admin, second.person.id, json!({"role": "admin"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    admin::set_active(&app.db, "admin", false).await.unwrap();
    let (status, _) = login_with(&app, "admin", seed::DEMO_PASSWORD).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(matches!(
        admin::set_active(&app.db, "admin2", false).await,
        Err(admin::TaskError::Input(_))
    ));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1")
            .await,
        1
    );
}

#[tokio::test]
async fn a_role_or_team_change_reaches_devices_and_a_move_to_the_desk_starts_them_afresh() {
    let app = app(true).await;
    let admin = token(&app, "admin").await;
    let tech2 = token(&app, "tech2").await;
    let seen = cursor_now(&app, &tech2).await;
    let dev = device();
    let tech1_session = app.login("tech1", dev).await;
    let tech1_cursor = cursor_now(&app, &tech1_session.token).await;
    let id = tech1_session.user.id;

    let (status, body) = patch(&app, &admin, id, json!({"team": "二组"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A team change alone keeps their session.
    assert!(
        !app.pull_page(&tech1_session.token, tech1_cursor, 500)
            .await
            .reset_required
    );
    let (status, body) = patch(&app, &admin, id, json!({"role": "supervisor"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let now: Person = serde_json::from_value(body).unwrap();
    assert_eq!((now.role, now.team.as_str()), (Role::Supervisor, "二组"));
    let cards = cards_after(&app, &tech2, seen).await;
    let last = cards.iter().rev().find(|c| c.id == id).unwrap();
    assert_eq!((last.role, last.team.as_str()), (Role::Supervisor, "二组"));
    // The field app's session ended; in the desk, the same device pulls the whole organisation
    // from the start.
    let (status, _) = app
        .call(
            "GET",
            "/api/sync/pull?cursor=0",
            Some(&tech1_session.token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let again = app.login("tech1", dev).await;
    assert_eq!(again.user.role, Role::Supervisor);
    assert!(
        app.pull_page(&again.token, tech1_cursor, 500)
            .await
            .reset_required
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('change_team', 'change_role')")
            .await,
        2
    );
}

#[tokio::test]
async fn another_organisations_people_are_neither_listed_nor_found() {
    let app = app(true).await;
    let admin = token(&app, "admin").await;
    let other_org = Uuid::now_v7();
    let mut tx = app.db.begin_write().await.unwrap();
    sqlx::query(app.db.sql(
        "INSERT INTO organisations (id, name, created_at) VALUES (?, '别家公司', '2026-01-01T00:00:00.000000Z')",
    ))
    .bind(other_org.to_string())
    .execute(&mut *tx)
    .await
    .unwrap();
    let stranger = seed::insert_user(
        &app.db,
        &mut tx,
        other_org,
        "stranger",
        "外人",
        Role::Technician,
        seed::DEMO_PASSWORD,
        false,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    assert!(people(&app, &admin).await.iter().all(|p| p.id != stranger));
    let (status, body) = patch(&app, &admin, stranger, json!({"active": false})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, body) = app
        .call(
            "POST",
            &format!("/api/people/{stranger}/password"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let nobody = DeviceId(Uuid::now_v7());
    let (status, _) = patch(&app, &admin, nobody.0, json!({"team": "x"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = login_with(&app, "stranger", seed::DEMO_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
