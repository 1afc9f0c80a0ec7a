//! The server on a real socket, as a hostile client meets it: slow headers, idle and capped
//! connections, bodies too large or too slow, traversal in the raw request line, and login
//! failures counted per client address.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use chrono::NaiveDate;
use revisit_domain::wire::{ApiError, LoginResponse};
use revisit_server::{
    AppState, Db, Limits,
    auth::throttle::{ADDRESS_FIRST_LOCK, ADDRESS_FREE_FAILURES, FREE_FAILURES},
    router_with, seed, serve,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::oneshot,
    task::JoinHandle,
};

struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl Server {
    /// The demo organisation behind a real listener on a free port, serving a small client
    /// next to a file that must never be sent.
    async fn start(limits: Limits) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("test.sqlite")).await.unwrap();
        seed::seed(&db, true, NaiveDate::from_ymd_opt(2026, 11, 20).unwrap())
            .await
            .unwrap();
        let dist = dir.path().join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(
            dist.join("index.html"),
            "<!doctype html><title>回访</title>",
        )
        .unwrap();
        std::fs::write(dir.path().join("secret.txt"), "outside dist").unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router_with(AppState::new(db, dist), &limits);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            serve(listener, app, &limits, async {
                let _ = stopped.await;
            })
            .await
        });
        Server {
            addr,
            stop: Some(stop),
            task: Some(task),
            _dir: dir,
        }
    }

    async fn connect(&self) -> TcpStream {
        TcpStream::connect(self.addr).await.unwrap()
    }

    /// Sends `request` on a new connection and reads the reply until the server closes it.
    async fn raw(&self, request: &[u8]) -> Reply {
        let mut stream = self.connect().await;
        stream.write_all(request).await.unwrap();
        read_reply(&mut stream, Duration::from_secs(10)).await
    }

    /// A login as `username` with `password`.
    async fn login(&self, username: &str, password: &str) -> Reply {
        let body = serde_json::json!({
            "username": username,
            "password": password,
            "device_id": uuid::Uuid::now_v7(),
        })
        .to_string();
        self.raw(
            format!(
                "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        )
        .await
    }

    /// Stops the server and waits for its loop to return.
    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(15), self.task.take().unwrap())
            .await
            .expect("the server stops")
            .unwrap()
            .unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

#[derive(Debug)]
struct Reply {
    /// The status code, or 0 when the server closed the connection without a reply.
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    fn error(&self) -> ApiError {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("{e}: {} {}", self.head, String::from_utf8_lossy(&self.body))
        })
    }
}

/// Reads until the server closes the connection (or `within` passes, which fails the test).
async fn read_reply(stream: &mut TcpStream, within: Duration) -> Reply {
    let mut bytes = Vec::new();
    let read = tokio::time::timeout(within, async {
        let mut buf = [0u8; 8192];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => bytes.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "the server kept the connection open for {within:?}"
    );
    parse(&bytes)
}

fn parse(bytes: &[u8]) -> Reply {
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(bytes.len(), |i| i + 4);
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut body = bytes[split..].to_vec();
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    if chunked {
        body = dechunk(&body);
    }
    Reply { status, head, body }
}

fn dechunk(mut bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = bytes.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(std::str::from_utf8(&bytes[..end]).unwrap().trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&bytes[end + 2..end + 2 + size]);
        bytes = &bytes[end + 4 + size..];
    }
    out
}

fn quick() -> Limits {
    Limits {
        header_read_timeout: Duration::from_millis(500),
        body_read_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_secs(5),
        max_connections: 64,
        shutdown_grace: Duration::from_secs(5),
    }
}

#[tokio::test]
async fn slow_headers_and_idle_connections_are_closed_after_the_header_timeout() {
    let server = Server::start(quick()).await;
    let started = Instant::now();
    let mut clients = Vec::new();
    for n in 0..20 {
        let mut stream = server.connect().await;
        clients.push(tokio::spawn(async move {
            if n % 2 == 0 {
                // Slowloris: a header line every 100 ms, never the blank line that ends them.
                stream
                    .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
                    .await
                    .unwrap();
                let (mut reader, mut writer) = stream.into_split();
                let trickle = tokio::spawn(async move {
                    for i in 0..100 {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        if writer
                            .write_all(format!("X-{i}: y\r\n").as_bytes())
                            .await
                            .is_err()
                        {
                            break;
                        }
                    }
                });
                let mut buf = Vec::new();
                let closed =
                    tokio::time::timeout(Duration::from_secs(3), reader.read_to_end(&mut buf))
                        .await;
                trickle.abort();
                closed.is_ok()
            } else {
                // Connected, never a byte.
                let mut buf = Vec::new();
                tokio::time::timeout(Duration::from_secs(3), stream.read_to_end(&mut buf))
                    .await
                    .is_ok()
            }
        }));
    }
    for client in clients {
        assert!(client.await.unwrap(), "a slow connection stayed open");
    }
    assert!(started.elapsed() < Duration::from_secs(3));
    // An honest client is still served.
    let r = server
        .raw(b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await;
    assert_eq!((r.status, r.body.as_slice()), (200, &b"ok"[..]));
    server.stop().await;
}

#[tokio::test]
async fn connections_over_the_cap_wait_until_one_ends() {
    let server = Server::start(Limits {
        max_connections: 2,
        header_read_timeout: Duration::from_secs(2),
        ..quick()
    })
    .await;
    let first = server.connect().await;
    let _second = server.connect().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = server.connect().await;
    third
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut byte = [0u8; 1];
    let waited = tokio::time::timeout(Duration::from_millis(500), third.read(&mut byte)).await;
    assert!(
        waited.is_err(),
        "a third connection was served while two were open"
    );
    drop(first);
    let started = Instant::now();
    let r = read_reply(&mut third, Duration::from_secs(1)).await;
    assert_eq!(r.status, 200);
    assert!(started.elapsed() < Duration::from_secs(1));
    server.stop().await;
}

#[tokio::test]
async fn a_huge_content_length_is_refused_before_its_body_is_read() {
    let server = Server::start(quick()).await;
    for (path, announced) in [
        ("/api/sync/push", 10_737_418_240_u64),
        (
            "/api/sync/push",
            revisit_domain::wire::MAX_REQUEST_BYTES as u64 + 1,
        ),
        ("/api/auth/login", 64 * 1024 + 1),
        ("/api/auth/password", 10_737_418_240),
        ("/", 10_737_418_240),
        ("/customers/1", 1_000_000),
    ] {
        let started = Instant::now();
        let mut stream = server.connect().await;
        stream
            .write_all(
                format!(
                    "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: {announced}\r\n\r\n"
                )
                .as_bytes(),
            )
            .await
            .unwrap();
        // Not a byte of the body is sent: the reply and the close come anyway.
        let r = read_reply(&mut stream, Duration::from_secs(2)).await;
        assert_eq!(r.status, 413, "{path} {announced}: {}", r.head);
        assert!(
            !r.head.contains("100 Continue"),
            "{path}: asked for the body"
        );
        assert_eq!(r.header("content-type"), Some("application/json"), "{path}");
        assert_eq!(r.error().code.as_str(), "payload_too_large", "{path}");
        assert!(started.elapsed() < Duration::from_secs(2));
    }
    server.stop().await;
}

#[tokio::test]
async fn chunked_bodies_over_the_route_limit_get_413() {
    let server = Server::start(quick()).await;
    let login: LoginResponse =
        serde_json::from_slice(&server.login("tech1", seed::DEMO_PASSWORD).await.body).unwrap();
    for (path, limit) in [
        ("/api/auth/login", 64 * 1024),
        ("/api/sync/push", revisit_domain::wire::MAX_REQUEST_BYTES),
    ] {
        let mut stream = server.connect().await;
        stream
            .write_all(
                format!(
                    "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                    login.token
                )
                .as_bytes(),
            )
            .await
            .unwrap();
        let (mut reader, mut writer) = stream.into_split();
        // More than the limit, in 16 KiB chunks, and never the last chunk.
        let send = tokio::spawn(async move {
            let chunk = format!("4000\r\n{}\r\n", " ".repeat(0x4000));
            for _ in 0..=limit / 0x4000 + 1 {
                if writer.write_all(chunk.as_bytes()).await.is_err() {
                    break;
                }
            }
            writer
        });
        let mut bytes = Vec::new();
        let read =
            tokio::time::timeout(Duration::from_secs(5), reader.read_to_end(&mut bytes)).await;
        assert!(read.is_ok(), "{path}: still open");
        let r = parse(&bytes);
        assert_eq!(r.status, 413, "{path}: {}", r.head);
        assert_eq!(r.error().code.as_str(), "payload_too_large");
        drop(send.await);
    }
    server.stop().await;
}

#[tokio::test]
async fn a_body_that_stops_coming_gets_408() {
    let server = Server::start(quick()).await;
    let started = Instant::now();
    let mut stream = server.connect().await;
    stream
        .write_all(b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"username\":")
        .await
        .unwrap();
    let r = read_reply(&mut stream, Duration::from_secs(3)).await;
    assert_eq!(r.status, 408, "{}", r.head);
    assert_eq!(r.error().code.as_str(), "timeout");
    assert!(started.elapsed() >= Duration::from_millis(500));
    server.stop().await;
}

#[tokio::test]
async fn a_request_slower_than_the_request_timeout_gets_408() {
    let server = Server::start(Limits {
        request_timeout: Duration::from_millis(800),
        ..quick()
    })
    .await;
    let started = Instant::now();
    let stream = server.connect().await;
    let (mut reader, mut writer) = stream.into_split();
    // A byte every 100 ms never pauses long enough for the body timeout.
    let trickle = tokio::spawn(async move {
        writer
            .write_all(b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
            .await
            .unwrap();
        for _ in 0..1000 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if writer.write_all(b" ").await.is_err() {
                break;
            }
        }
    });
    let mut bytes = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(3), reader.read_to_end(&mut bytes)).await;
    trickle.abort();
    assert!(read.is_ok(), "still open");
    let r = parse(&bytes);
    assert_eq!(r.status, 408, "{}", r.head);
    assert_eq!(r.error().code.as_str(), "timeout");
    assert!(started.elapsed() >= Duration::from_millis(800));
    server.stop().await;
}

#[tokio::test]
async fn traversal_in_the_request_line_never_reaches_a_file_outside_dist() {
    let server = Server::start(quick()).await;
    for target in [
        "/../secret.txt",
        "/..\\secret.txt",
        "/\\..\\secret.txt",
        "/%2e%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/.%2e/secret.txt",
        "/..%5csecret.txt",
        "//../secret.txt",
        "/./../secret.txt",
    ] {
        let r = server
            .raw(
                format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
            )
            .await;
        let body = String::from_utf8_lossy(&r.body);
        assert!(!body.contains("outside dist"), "{target} sent the file");
        assert!(
            matches!(r.status, 400 | 404) || (r.status == 200 && body.contains("<title>回访")),
            "{target}: {}",
            r.head
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn an_address_that_failed_many_logins_is_locked_before_it_can_lock_a_name() {
    let server = Server::start(quick()).await;
    // Too long a name is refused before anything is counted.
    let long = "x".repeat(65);
    for _ in 0..ADDRESS_FREE_FAILURES + 5 {
        let r = server.login(&long, "guess").await;
        assert_eq!((r.status, r.error().code.as_str()), (400, "bad_request"));
    }
    // Guesses spread over names, fewer than a name's lock each.
    for n in 0..ADDRESS_FREE_FAILURES {
        let name = format!("user{}", n / (FREE_FAILURES - 1));
        let r = server.login(&name, "guess").await;
        assert_eq!(r.status, 401, "{}", r.head);
    }
    // This address is now locked, for every name, the right password included.
    let r = server.login("tech1", seed::DEMO_PASSWORD).await;
    assert_eq!(r.status, 429, "{}", r.head);
    assert_eq!(r.error().code.as_str(), "too_many_attempts");
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(
        (ADDRESS_FIRST_LOCK.as_secs() - 2..=ADDRESS_FIRST_LOCK.as_secs()).contains(&wait),
        "Retry-After {wait}"
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    server.stop().await;
}

#[tokio::test]
async fn a_name_locked_from_elsewhere_still_logs_in_where_it_did_before() {
    let server = Server::start(quick()).await;
    assert_eq!(server.login("tech1", seed::DEMO_PASSWORD).await.status, 200);
    // Wrong passwords for tech1 from this address lock the name, but this address has logged
    // in as tech1, so the right password still works here.
    for _ in 0..FREE_FAILURES {
        assert_eq!(server.login("tech1", "guess").await.status, 401);
    }
    assert_eq!(server.login("tech1", seed::DEMO_PASSWORD).await.status, 200);
    // A name never logged in from here is locked by its failures.
    for _ in 0..FREE_FAILURES {
        assert_eq!(server.login("tech2", "guess").await.status, 401);
    }
    let r = server.login("tech2", seed::DEMO_PASSWORD).await;
    assert_eq!(r.status, 429, "{}", r.head);
    server.stop().await;
}
