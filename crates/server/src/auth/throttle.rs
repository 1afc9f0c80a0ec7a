//! Failed logins, counted in memory per client address and per user name, so passwords cannot
//! be guessed at the speed the server checks them, and locking someone out costs the attacker
//! more than it costs them.
//!
//! Every password check (a login, a password change) is an [`Attempt`], let through or refused
//! before the password is looked at:
//!
//! - **The address first.** A client address (an IPv4 address, or an IPv6 /64: one
//!   subscriber's network) may fail [`ADDRESS_FREE_FAILURES`] times, whatever names it tries;
//!   then it is locked for [`ADDRESS_FIRST_LOCK`], doubled by each further failure up to
//!   [`ADDRESS_MAX_LOCK`], and a locked address adds no failure to any name. A success does not
//!   clear an address's failures (one valid account must not launder guesses at others); they
//!   are forgotten [`FORGET_AFTER`] after the last one. At most [`ADDRESS_IN_FLIGHT`] checks of
//!   one address run at once, so parallel requests cannot slip past the count.
//! - **Then the name.** After [`FREE_FAILURES`] failures in a row from anywhere a name is
//!   locked for [`FIRST_LOCK`], doubled up to [`MAX_LOCK`] (this is what stops guessing one
//!   user's password from many addresses); one check of a name runs at a time. While locked
//!   even the right password is refused, else the lock would not slow guessing. A success
//!   clears the name.
//! - **Who is not locked out.** A name's lock does not apply at an address where that name
//!   logged in successfully within [`TRUSTED_FOR`]: the user's usual office or tablet network
//!   keeps working while a stranger's failures lock the name everywhere else. The address's
//!   own limit still applies there.
//!
//! So an attacker who locks a victim's name for at most [`MAX_LOCK`] at a time pays with an
//! address lock growing to [`ADDRESS_MAX_LOCK`], and the victim's known networks are not locked
//! at all; an already logged-in device is never affected (its session lasts 30 days).
//!
//! Bounded: a login name longer than [`MAX_USERNAME_CHARS`] is refused by the handler before
//! it gets here; each table (addresses, names, trusted pairs) holds at most [`MAX_ENTRIES`]; an
//! entry is forgotten [`FORGET_AFTER`] after its last failure or the end of its lock, whichever
//! is later (a trusted pair after [`TRUSTED_FOR`]). When a table is full of entries that may not be
//! forgotten yet, a check that needs a new one is refused until one may (fail closed: a failure
//! is never left uncounted); a full trusted table only means no new trust.
//!
//! Known limits: everything is per process and a restart forgets it (which only ever
//! unlocks); clients behind one NAT share an address and its limit; behind a reverse proxy
//! every client has the proxy's address, as the server does not believe `X-Forwarded-For`,
//! which any client can write. Requests that did not come through [`crate::serve()`] (router
//! tests) have no address and share one.

use std::{
    collections::HashMap,
    convert::Infallible,
    hash::Hash,
    net::{IpAddr, SocketAddr},
    sync::Mutex,
    time::{Duration, Instant},
};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::request::Parts,
};
pub use revisit_domain::wire::MAX_USERNAME_CHARS;

/// Failures of one name allowed before it is locked.
pub const FREE_FAILURES: u32 = 5;
/// A name's first lock.
pub const FIRST_LOCK: Duration = Duration::from_secs(30);
/// A name's longest lock.
pub const MAX_LOCK: Duration = Duration::from_secs(15 * 60);
/// Failures from one address allowed before it is locked.
pub const ADDRESS_FREE_FAILURES: u32 = 20;
/// An address's first lock.
pub const ADDRESS_FIRST_LOCK: Duration = Duration::from_secs(60);
/// An address's longest lock.
pub const ADDRESS_MAX_LOCK: Duration = Duration::from_secs(60 * 60);
/// Password checks of one address running at once.
pub const ADDRESS_IN_FLIGHT: u32 = 4;
/// How long failures are remembered after the last one, or after the end of the lock they
/// caused if that is later.
pub const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);
/// How long a successful login makes its address trusted for the name.
pub const TRUSTED_FOR: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// Entries each table holds at most.
pub const MAX_ENTRIES: usize = 20_000;
/// What a refusal for a check already running asks the client to wait.
const BUSY_WAIT: Duration = Duration::from_secs(1);

/// Where a login comes from, as counted: an IPv4 address, or the /64 network of an IPv6 one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Client {
    /// An IPv4 address (IPv4-mapped IPv6 ones too).
    V4([u8; 4]),
    /// The first 64 bits of an IPv6 address.
    V6([u16; 4]),
    /// No address known: the request did not come through [`crate::serve()`].
    Unknown,
}

impl Client {
    /// The client at `ip`.
    pub fn of(ip: IpAddr) -> Client {
        match ip {
            IpAddr::V4(v4) => Client::V4(v4.octets()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Client::V4(v4.octets()),
                None => {
                    let s = v6.segments();
                    Client::V6([s[0], s[1], s[2], s[3]])
                }
            },
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(Client::Unknown, |ConnectInfo(addr)| Client::of(addr.ip())))
    }
}

/// The failed-login tables. 登录失败记录
#[derive(Debug)]
pub struct LoginThrottle {
    tables: Mutex<Tables>,
}

impl Default for LoginThrottle {
    fn default() -> LoginThrottle {
        LoginThrottle {
            tables: Mutex::new(Tables {
                addresses: Table::new(Rule {
                    free: ADDRESS_FREE_FAILURES,
                    first: ADDRESS_FIRST_LOCK,
                    max: ADDRESS_MAX_LOCK,
                    in_flight: ADDRESS_IN_FLIGHT,
                }),
                names: Table::new(Rule {
                    free: FREE_FAILURES,
                    first: FIRST_LOCK,
                    max: MAX_LOCK,
                    in_flight: 1,
                }),
                trusted: HashMap::new(),
            }),
        }
    }
}

#[derive(Debug)]
struct Tables {
    addresses: Table<Client>,
    names: Table<String>,
    /// When each name last logged in successfully from each address.
    trusted: HashMap<(String, Client), Instant>,
}

impl LoginThrottle {
    /// Lets a password check of `name` from `client` begin at `now`, or says how long to wait:
    /// the address or the name is locked, a check of it is running, or the tables are full.
    /// The check must end with [`Attempt::failed`] or [`Attempt::succeeded`]; dropped without
    /// either, it counts as nothing.
    pub fn begin(&self, name: &str, client: Client, now: Instant) -> Result<Attempt<'_>, Duration> {
        let mut tables = self.lock();
        let Tables {
            addresses,
            names,
            trusted,
        } = &mut *tables;
        let known = trusted
            .get(&(name.to_owned(), client))
            .is_some_and(|&at| now < at + TRUSTED_FOR);
        addresses.expire(&client, now);
        names.expire(name, now);
        addresses.may_enter(&client, now, true)?;
        names.may_enter(name, now, !known)?;
        addresses.room_for(&client, now)?;
        names.room_for(name, now)?;
        addresses.enter(client, now);
        names.enter(name.to_owned(), now);
        Ok(Attempt {
            throttle: self,
            name: name.to_owned(),
            client,
            ended: false,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Tables> {
        self.tables.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A password check let through by [`LoginThrottle::begin`].
#[derive(Debug)]
#[must_use = "a check ends with `failed` or `succeeded`"]
pub struct Attempt<'a> {
    throttle: &'a LoginThrottle,
    name: String,
    client: Client,
    ended: bool,
}

impl Attempt<'_> {
    /// Counts the wrong password at `now` against the address and the name; returns the
    /// longer of the locks they now have, if any.
    pub fn failed(mut self, now: Instant) -> Option<Duration> {
        self.ended = true;
        let mut tables = self.throttle.lock();
        let address = tables.addresses.fail(&self.client, now);
        let name = tables.names.fail(&self.name, now);
        address.max(name)
    }

    /// Clears the name after the right password, and trusts this address for it; the
    /// address's failures stay.
    pub fn succeeded(mut self, now: Instant) {
        self.ended = true;
        let mut tables = self.throttle.lock();
        tables.addresses.leave(&self.client, now);
        tables.names.clear(&self.name);
        let trusted = &mut tables.trusted;
        if trusted.len() >= MAX_ENTRIES {
            trusted.retain(|_, at| now < *at + TRUSTED_FOR);
        }
        if trusted.len() < MAX_ENTRIES {
            trusted.insert((std::mem::take(&mut self.name), self.client), now);
        }
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if !self.ended {
            let mut tables = self.throttle.lock();
            let now = Instant::now();
            tables.addresses.leave(&self.client, now);
            tables.names.leave(&self.name, now);
        }
    }
}

/// How one table locks.
#[derive(Debug, Clone, Copy)]
struct Rule {
    free: u32,
    first: Duration,
    max: Duration,
    in_flight: u32,
}

impl Rule {
    /// The lock after `failures` in a row, if any.
    fn lock(&self, failures: u32) -> Option<Duration> {
        let over = failures.checked_sub(self.free)?;
        Some(
            self.first
                .checked_mul(1 << over.min(16))
                .map_or(self.max, |lock| lock.min(self.max)),
        )
    }
}

/// Failures per key (an address or a name).
#[derive(Debug)]
struct Table<K> {
    rule: Rule,
    entries: HashMap<K, Counter>,
    /// When the table was last found full: no entry may be forgotten before this.
    full_until: Option<Instant>,
}

#[derive(Debug, Clone, Copy)]
struct Counter {
    failures: u32,
    in_flight: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

impl Counter {
    /// When this entry may be forgotten; never while a check of it runs.
    fn forgettable_at(&self) -> Option<Instant> {
        (self.in_flight == 0).then(|| {
            let quiet_since = self.locked_until.map_or(self.last, |u| u.max(self.last));
            quiet_since + FORGET_AFTER
        })
    }
}

impl<K: Hash + Eq> Table<K> {
    fn new(rule: Rule) -> Table<K> {
        Table {
            rule,
            entries: HashMap::new(),
            full_until: None,
        }
    }

    /// Forgets `key` if its time has come.
    fn expire<Q>(&mut self, key: &Q, now: Instant)
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let due = self
            .entries
            .get(key)
            .and_then(Counter::forgettable_at)
            .is_some_and(|at| at <= now);
        if due {
            self.entries.remove(key);
        }
    }

    /// `Err(wait)` while `key` is locked (when `locks` counts) or as busy as the rule allows.
    fn may_enter<Q>(&self, key: &Q, now: Instant, locks: bool) -> Result<(), Duration>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let Some(c) = self.entries.get(key) else {
            return Ok(());
        };
        if !locks {
            return Ok(());
        }
        match c.locked_until {
            Some(until) if until > now => Err(until - now),
            _ if c.in_flight >= self.rule.in_flight => Err(BUSY_WAIT),
            _ => Ok(()),
        }
    }

    /// `Err(wait)` when `key` has no entry and none can be made: the table is full of entries
    /// that may not be forgotten before `now + wait`.
    fn room_for<Q>(&mut self, key: &Q, now: Instant) -> Result<(), Duration>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if self.entries.len() < MAX_ENTRIES || self.entries.contains_key(key) {
            return Ok(());
        }
        if let Some(until) = self.full_until
            && until > now
        {
            return Err(until - now);
        }
        self.entries
            .retain(|_, c| c.forgettable_at().is_none_or(|at| at > now));
        if self.entries.len() < MAX_ENTRIES {
            self.full_until = None;
            return Ok(());
        }
        // Every entry is locked, recent or in a check: the earliest to go, or soon if all
        // are in checks.
        let next = self
            .entries
            .values()
            .filter_map(Counter::forgettable_at)
            .min()
            .unwrap_or(now + BUSY_WAIT);
        self.full_until = Some(next);
        Err(next - now)
    }

    fn enter(&mut self, key: K, now: Instant) {
        let c = self.entries.entry(key).or_insert(Counter {
            failures: 0,
            in_flight: 0,
            last: now,
            locked_until: None,
        });
        c.in_flight += 1;
        c.last = now;
    }

    fn leave<Q>(&mut self, key: &Q, now: Instant)
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if let Some(c) = self.entries.get_mut(key) {
            c.in_flight = c.in_flight.saturating_sub(1);
            c.last = c.last.max(now);
        }
    }

    fn fail<Q>(&mut self, key: &Q, now: Instant) -> Option<Duration>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let rule = self.rule;
        let c = self.entries.get_mut(key)?;
        c.in_flight = c.in_flight.saturating_sub(1);
        c.failures = c.failures.saturating_add(1);
        c.last = c.last.max(now);
        let lock = rule.lock(c.failures)?;
        c.locked_until = Some(now + lock);
        Some(lock)
    }

    /// Forgets `key`'s failures (its entry goes once no other check of it runs).
    fn clear<Q>(&mut self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if let Some(c) = self.entries.get_mut(key) {
            c.in_flight = c.in_flight.saturating_sub(1);
            if c.in_flight == 0 {
                self.entries.remove(key);
            } else {
                c.failures = 0;
                c.locked_until = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv6Addr;

    use super::*;

    const HOME: Client = Client::V4([192, 0, 2, 1]);
    const ELSEWHERE: Client = Client::V4([198, 51, 100, 7]);

    /// One wrong password of `name` from `client` at `now`: the lock it leaves, or the refusal.
    fn fail(
        t: &LoginThrottle,
        name: &str,
        client: Client,
        now: Instant,
    ) -> Result<Option<Duration>, Duration> {
        Ok(t.begin(name, client, now)?.failed(now))
    }

    fn succeed(
        t: &LoginThrottle,
        name: &str,
        client: Client,
        now: Instant,
    ) -> Result<(), Duration> {
        t.begin(name, client, now)?.succeeded(now);
        Ok(())
    }

    /// The `n`th client address of a range of IPv4 addresses.
    fn nth(n: usize) -> Client {
        Client::V4([10, (n >> 16) as u8, (n >> 8) as u8, n as u8])
    }

    #[test]
    fn five_failures_are_free_then_name_locks_double_up_to_the_maximum() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        for n in 0..FREE_FAILURES - 1 {
            assert_eq!(fail(&t, "tech1", nth(n as usize), start), Ok(None));
        }
        assert_eq!(fail(&t, "tech1", nth(9), start), Ok(Some(FIRST_LOCK)));
        assert_eq!(
            t.begin("tech1", nth(10), start).err(),
            Some(FIRST_LOCK),
            "locked from anywhere, the right password too"
        );
        assert!(
            t.begin("tech2", nth(10), start).is_ok(),
            "other names are not locked"
        );
        let later = start + FIRST_LOCK;
        assert_eq!(fail(&t, "tech1", nth(11), later), Ok(Some(FIRST_LOCK * 2)));
        let mut now = later;
        let mut lock = FIRST_LOCK * 2;
        for n in 0..20 {
            now += lock;
            lock = fail(&t, "tech1", nth(20 + n), now).unwrap().unwrap();
        }
        assert_eq!(lock, MAX_LOCK);
    }

    #[test]
    fn a_success_clears_the_name_but_not_the_address() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..FREE_FAILURES {
            fail(&t, "tech1", HOME, now).unwrap();
        }
        assert!(t.begin("tech1", HOME, now).is_err());
        let later = now + FIRST_LOCK;
        succeed(&t, "tech1", HOME, later).unwrap();
        assert_eq!(
            fail(&t, "tech1", ELSEWHERE, later),
            Ok(None),
            "the name's count starts again"
        );
        // The address keeps its five failures: fifteen more lock it.
        for n in 0..ADDRESS_FREE_FAILURES - FREE_FAILURES - 1 {
            assert!(fail(&t, &format!("someone{n}"), HOME, later).is_ok());
        }
        assert_eq!(
            fail(&t, "someone-else", HOME, later),
            Ok(Some(ADDRESS_FIRST_LOCK))
        );
    }

    #[test]
    fn a_locked_address_adds_no_failure_to_any_name() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        // An attacker spreads its failures over many names, four each: none is locked...
        for n in 0..ADDRESS_FREE_FAILURES {
            let name = format!("user{}", n / (FREE_FAILURES - 1));
            assert!(fail(&t, &name, ELSEWHERE, now).is_ok());
        }
        // ...and then its address is.
        assert_eq!(
            t.begin("user0", ELSEWHERE, now).err(),
            Some(ADDRESS_FIRST_LOCK)
        );
        assert_eq!(
            t.begin("victim", ELSEWHERE, now).err(),
            Some(ADDRESS_FIRST_LOCK)
        );
        // Refused checks count nothing: the victim is not locked.
        assert!(succeed(&t, "victim", HOME, now).is_ok());
        // Each further failure doubles the address's lock, up to an hour.
        let mut at = now + ADDRESS_FIRST_LOCK;
        let mut lock = Duration::ZERO;
        for _ in 0..10 {
            lock = fail(&t, "victim", ELSEWHERE, at).unwrap().unwrap();
            at += lock;
        }
        assert_eq!(lock, ADDRESS_MAX_LOCK);
    }

    #[test]
    fn a_name_locked_by_a_stranger_still_logs_in_where_it_did_before() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        succeed(&t, "tech1", HOME, now).unwrap();
        for _ in 0..FREE_FAILURES {
            fail(&t, "tech1", ELSEWHERE, now).unwrap();
        }
        assert_eq!(t.begin("tech1", ELSEWHERE, now).err(), Some(FIRST_LOCK));
        assert_eq!(
            t.begin("tech1", nth(3), now).err(),
            Some(FIRST_LOCK),
            "locked at a new address"
        );
        assert!(succeed(&t, "tech1", HOME, now).is_ok(), "not at home");
        // The trust wears off.
        let much_later = now + TRUSTED_FOR + Duration::from_secs(1);
        for _ in 0..FREE_FAILURES {
            fail(&t, "tech1", ELSEWHERE, much_later).unwrap();
        }
        assert!(t.begin("tech1", HOME, much_later).is_err());
    }

    #[test]
    fn checks_already_running_are_counted_before_they_end() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        let first = t.begin("tech1", HOME, now).unwrap();
        assert_eq!(
            t.begin("tech1", ELSEWHERE, now).err(),
            Some(BUSY_WAIT),
            "one check of a name at a time"
        );
        drop(first);
        let running: Vec<_> = (0..ADDRESS_IN_FLIGHT)
            .map(|n| t.begin(&format!("u{n}"), HOME, now).unwrap())
            .collect();
        assert_eq!(t.begin("another", HOME, now).err(), Some(BUSY_WAIT));
        for attempt in running {
            attempt.failed(now);
        }
        assert!(t.begin("another", HOME, now).is_ok());
    }

    #[test]
    fn entries_are_forgotten_an_hour_after_their_last_failure_or_lock() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..FREE_FAILURES - 1 {
            fail(&t, "tech1", HOME, now).unwrap();
        }
        // A full table forgets what it may.
        {
            let mut tables = t.lock();
            for n in 0..MAX_ENTRIES - 1 {
                tables.names.enter(format!("x{n}"), now);
                tables.names.leave(format!("x{n}").as_str(), now);
            }
            assert_eq!(tables.names.entries.len(), MAX_ENTRIES);
        }
        let later = now + FORGET_AFTER;
        assert_eq!(fail(&t, "new", nth(1), later), Ok(None));
        let tables = t.lock();
        assert_eq!(tables.names.entries.len(), 1, "only the new name is left");
        assert!(tables.names.entries.contains_key("new"));
    }

    #[test]
    fn a_lock_is_remembered_for_an_hour_after_it_ends() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..FREE_FAILURES {
            fail(&t, "tech1", HOME, now).unwrap();
        }
        let not_yet = now + FIRST_LOCK + FORGET_AFTER - Duration::from_secs(1);
        assert_eq!(
            fail(&t, "tech1", ELSEWHERE, not_yet),
            Ok(Some(FIRST_LOCK * 2))
        );
        let forgotten = not_yet + FIRST_LOCK * 2 + FORGET_AFTER;
        assert_eq!(fail(&t, "tech1", ELSEWHERE, forgotten), Ok(None));
    }

    #[test]
    fn a_table_full_of_fresh_entries_refuses_new_names_until_one_may_go() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        {
            let mut tables = t.lock();
            for n in 0..MAX_ENTRIES {
                tables.names.enter(format!("x{n}"), now);
                tables.names.fail(format!("x{n}").as_str(), now);
            }
        }
        let soon = now + Duration::from_secs(60);
        assert_eq!(
            t.begin("new", HOME, soon).err(),
            Some(FORGET_AFTER - Duration::from_secs(60)),
            "fails closed, saying when there will be room"
        );
        assert!(
            t.begin("x7", HOME, soon).is_ok(),
            "names already counted go on"
        );
        assert!(t.begin("new", HOME, now + FORGET_AFTER).is_ok());
    }

    #[test]
    fn an_address_table_full_of_recent_failures_refuses_new_addresses() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        {
            let mut tables = t.lock();
            for n in 0..MAX_ENTRIES {
                tables.addresses.enter(nth(n), now);
                tables.addresses.fail(&nth(n), now);
            }
        }
        assert_eq!(t.begin("tech1", HOME, now).err(), Some(FORGET_AFTER));
        assert!(t.begin("tech1", nth(5), now).is_ok());
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_bit_network() {
        let a: Ipv6Addr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: Ipv6Addr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: Ipv6Addr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(Client::of(a.into()), Client::of(b.into()));
        assert_ne!(Client::of(a.into()), Client::of(c.into()));
        let mapped: Ipv6Addr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(Client::of(mapped.into()), HOME);
    }
}
