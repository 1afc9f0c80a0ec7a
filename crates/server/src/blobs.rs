//! Photos and other attachments by content hash: `PUT /api/blobs/{sha256}` (idempotent; the
//! hash and the image type are checked from the bytes, never trusted from the request) before
//! the record that names them is pushed, and `GET` for whoever may see such a record.

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::put,
};
use chrono::Utc;
use revisit_domain::{
    image::ImageType,
    photo::is_sha256_hex,
    wire::{BlobReceipt, MAX_BLOB_BYTES},
};

use crate::{
    AppState,
    auth::{Session, sha256_hex},
    db::timestamp,
    error::Error,
    json::{ApiBytes, ApiPath},
};

/// The blob routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/blobs/{sha256}", put(upload).get(download))
}

fn checked_name(sha256: &str) -> Result<(), Error> {
    if is_sha256_hex(sha256) {
        Ok(())
    } else {
        Err(Error::BadRequest(
            "a blob is named by its SHA-256: 64 lowercase hex digits".into(),
        ))
    }
}

async fn upload(
    State(state): State<AppState>,
    session: Session,
    ApiPath(sha256): ApiPath<String>,
    ApiBytes(body): ApiBytes,
) -> Result<Json<BlobReceipt>, Error> {
    checked_name(&sha256)?;
    if body.len() > MAX_BLOB_BYTES {
        return Err(Error::PayloadTooLarge);
    }
    if sha256_hex(&body) != sha256 {
        return Err(Error::BlobMismatch);
    }
    let Some(mime) = ImageType::sniff(&body) else {
        return Err(Error::UnsupportedMediaType(
            "only PNG, JPEG and WebP images are accepted".into(),
        ));
    };
    if mime == ImageType::Png {
        revisit_domain::image::check_png(&body)
            .map_err(|e| Error::UnsupportedMediaType(e.to_string()))?;
    }
    let db = &state.db;
    let org = session.org();
    let mut tx = db.begin_write().await?;
    sqlx::query(db.sql(
        "INSERT INTO blobs (org_id, sha256, mime, bytes, data, uploaded_by, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (org_id, sha256) DO NOTHING",
    ))
    .bind(&org)
    .bind(&sha256)
    .bind(mime.mime())
    .bind(body.len() as i64)
    .bind(body.to_vec())
    .bind(session.user_id.to_string())
    .bind(timestamp(Utc::now()))
    .execute(&mut *tx)
    .await?;
    let received: String =
        sqlx::query_scalar(db.sql("SELECT received_at FROM blobs WHERE org_id = ? AND sha256 = ?"))
            .bind(&org)
            .bind(&sha256)
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(Json(BlobReceipt {
        sha256,
        mime,
        bytes: body.len() as u64,
        received_at: revisit_domain::time::parse_instant(&received).ok_or_else(|| {
            Error::Internal(anyhow::anyhow!("a blob's time does not read: {received}"))
        })?,
    }))
}

async fn download(
    State(state): State<AppState>,
    session: Session,
    ApiPath(sha256): ApiPath<String>,
) -> Result<Response, Error> {
    checked_name(&sha256)?;
    let db = &state.db;
    let org = session.org();
    let me = session.user_id.to_string();
    // The whole organisation's roles see every blob; a technician those they uploaded and
    // those named by records of customers in their charge.
    let row: Option<(String, Vec<u8>)> = if session.role.sees_whole_org() {
        sqlx::query_as(db.sql("SELECT mime, data FROM blobs WHERE org_id = ? AND sha256 = ?"))
            .bind(&org)
            .bind(&sha256)
            .fetch_optional(&db.read)
            .await?
    } else {
        sqlx::query_as(db.sql(
            "SELECT b.mime, b.data FROM blobs b WHERE b.org_id = ? AND b.sha256 = ?
             AND (b.uploaded_by = ? OR EXISTS (
                 SELECT 1 FROM blob_refs r JOIN records c
                   ON c.org_id = r.org_id AND c.kind = 'customer' AND c.id = r.customer_id
                 WHERE r.org_id = b.org_id AND r.sha256 = b.sha256 AND c.technician_id = ?))",
        ))
        .bind(&org)
        .bind(&sha256)
        .bind(&me)
        .bind(&me)
        .fetch_optional(&db.read)
        .await?
    };
    let (mime, data) = row.ok_or(Error::NotFound)?;
    let mut response = data.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&mime)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    Ok(response)
}
