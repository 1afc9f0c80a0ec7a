//! A test server: the real router on a fresh database — a SQLite file in a temporary folder,
//! or, when `REVISIT_TEST_POSTGRES` names a PostgreSQL server (`postgres://postgres@127.0.0.1:
//! 5433`), a new database of its own on that server — and the calls a client makes. Included
//! by `#[path]` (with `request.rs`): a file here is not a test of its own.

#![allow(dead_code, unreachable_pub)]

use std::path::Path;

use axum::{Router, http::StatusCode};
use chrono::NaiveDate;
use http_body_util::BodyExt;
use revisit_domain::{
    DeviceId,
    wire::{Entity, LoginResponse, Mutation, PullResponse, PushRequest, SCHEMA_VERSION},
};
use revisit_server::{AppState, Db, router, seed};
use serde_json::{Value, json};
use sqlx::Connection;
use tower::ServiceExt;
use uuid::Uuid;

use super::request;

/// The day the demo is seeded as if it were.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
}

/// A new device id, as a browser makes one.
pub fn device() -> DeviceId {
    DeviceId(Uuid::now_v7())
}

/// A fresh, empty, migrated database, and the address to open it again.
pub async fn fresh_db(dir: &Path) -> (Db, String) {
    let url = match std::env::var("REVISIT_TEST_POSTGRES") {
        Ok(server) if !server.is_empty() => {
            let server = server.trim_end_matches('/');
            let name = format!("t_{}", Uuid::now_v7().simple());
            let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
                .await
                .expect("the test PostgreSQL server answers");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .unwrap();
            admin.close().await.unwrap();
            format!("{server}/{name}")
        }
        _ => format!("sqlite://{}", dir.join("test.sqlite").display()),
    };
    (Db::connect(&url).await.unwrap(), url)
}

/// Whether the tests run on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("REVISIT_TEST_POSTGRES").is_ok_and(|s| !s.is_empty())
}

pub struct TestApp {
    pub router: Router,
    pub db: Db,
    pub url: String,
    pub dir: tempfile::TempDir,
}

/// The server on a fresh database, seeded with the demo organisation (or only an
/// administrator).
pub async fn app(demo: bool) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let (db, url) = fresh_db(dir.path()).await;
    seed::seed(&db, demo, today()).await.unwrap();
    let router = router(AppState::new(db.clone(), dir.path().join("no-dist")));
    TestApp {
        router,
        db,
        url,
        dir,
    }
}

impl TestApp {
    /// Closes the database and opens it again: what survives is what was committed.
    pub async fn restart(&mut self) {
        self.db.read.close().await;
        self.db.write.close().await;
        self.db = Db::connect(&self.url).await.unwrap();
        self.router = router(AppState::new(
            self.db.clone(),
            self.dir.path().join("no-dist"),
        ));
    }

    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> (StatusCode, Value) {
        let req = request::request(method, uri, token, body);
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    pub async fn json(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        self.call(method, uri, token, Some(serde_json::to_vec(&body).unwrap()))
            .await
    }

    pub async fn login(&self, username: &str, device: DeviceId) -> LoginResponse {
        let (status, body) = self
            .json(
                "POST",
                "/api/auth/login",
                None,
                json!({"username": username, "password": seed::DEMO_PASSWORD, "device_id": device}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }

    pub async fn pull_page(&self, token: &str, cursor: u64, limit: u32) -> PullResponse {
        let (status, body) = self
            .call(
                "GET",
                &format!("/api/sync/pull?cursor={cursor}&limit={limit}"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }

    pub async fn pull_all(&self, token: &str, limit: u32) -> Vec<Entity> {
        let (mut cursor, mut all) = (0, Vec::new());
        loop {
            let page = self.pull_page(token, cursor, limit).await;
            assert!(page.changes.len() <= limit as usize);
            all.extend(page.changes.into_iter().map(|c| c.entity));
            cursor = page.cursor;
            if !page.has_more {
                return all;
            }
        }
    }

    pub async fn push(
        &self,
        token: &str,
        device: DeviceId,
        mutations: Vec<Mutation>,
    ) -> (StatusCode, Value) {
        let body = PushRequest {
            device_id: device,
            schema_version: SCHEMA_VERSION,
            mutations,
        };
        self.json(
            "POST",
            "/api/sync/push",
            Some(token),
            serde_json::to_value(body).unwrap(),
        )
        .await
    }

    /// A count from the database (`?` placeholders are numbered on PostgreSQL).
    pub async fn count(&self, sql: &'static str) -> i64 {
        sqlx::query_scalar(self.db.sql(sql))
            .fetch_one(&self.db.read)
            .await
            .unwrap()
    }

    /// How many records of `kind` the server holds.
    pub async fn records(&self, kind: &str) -> i64 {
        sqlx::query_scalar(self.db.sql("SELECT COUNT(*) FROM records WHERE kind = ?"))
            .bind(kind)
            .fetch_one(&self.db.read)
            .await
            .unwrap()
    }
}
