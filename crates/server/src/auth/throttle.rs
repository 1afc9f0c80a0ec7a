//! Failed logins per user name, kept in memory, so passwords cannot be guessed at the speed the
//! server checks them.
//!
//! After [`FREE_FAILURES`] consecutive failures a name is locked for [`FIRST_LOCK`], doubled by
//! each further failure up to [`MAX_LOCK`]; while it is locked even the right password is
//! refused (else the lock would not slow guessing). A successful login clears the name. The
//! table holds at most [`MAX_NAMES`] names: when full, names whose lock has passed make room;
//! a restart forgets everything, which only ever unlocks.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Failures allowed before a name is locked.
pub const FREE_FAILURES: u32 = 5;
/// The first lock.
pub const FIRST_LOCK: Duration = Duration::from_secs(30);
/// The longest lock.
pub const MAX_LOCK: Duration = Duration::from_secs(15 * 60);
/// Names tracked at once.
pub const MAX_NAMES: usize = 10_000;

/// The table of failed logins. 登录失败记录
#[derive(Debug, Default)]
pub struct LoginThrottle {
    names: Mutex<HashMap<String, Failures>>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    locked_until: Option<Instant>,
}

impl LoginThrottle {
    /// `Err(wait)` while `name` is locked at `now`.
    pub fn check(&self, name: &str, now: Instant) -> Result<(), Duration> {
        let names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        match names.get(name).and_then(|f| f.locked_until) {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// Counts a failed login of `name` at `now`; returns the lock it now has, if any.
    pub fn failed(&self, name: &str, now: Instant) -> Option<Duration> {
        let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        if !names.contains_key(name) && names.len() >= MAX_NAMES {
            names.retain(|_, f| f.locked_until.is_some_and(|until| until > now));
            if names.len() >= MAX_NAMES {
                return None;
            }
        }
        let f = names.entry(name.to_string()).or_insert(Failures {
            count: 0,
            locked_until: None,
        });
        f.count = f.count.saturating_add(1);
        let over = f.count.checked_sub(FREE_FAILURES)?;
        let lock = FIRST_LOCK
            .checked_mul(1 << over.min(16))
            .map_or(MAX_LOCK, |lock| lock.min(MAX_LOCK));
        f.locked_until = Some(now + lock);
        Some(lock)
    }

    /// Clears `name` after a successful login.
    pub fn succeeded(&self, name: &str) {
        let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        names.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_are_free_then_locks_double_up_to_the_maximum() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        for _ in 0..FREE_FAILURES - 1 {
            assert_eq!(t.failed("tech1", start), None);
            assert_eq!(t.check("tech1", start), Ok(()));
        }
        assert_eq!(t.failed("tech1", start), Some(FIRST_LOCK));
        assert_eq!(t.check("tech1", start), Err(FIRST_LOCK));
        assert_eq!(
            t.check("tech2", start),
            Ok(()),
            "other names are not locked"
        );
        let later = start + FIRST_LOCK;
        assert_eq!(t.check("tech1", later), Ok(()), "the lock passes");
        assert_eq!(t.failed("tech1", later), Some(FIRST_LOCK * 2));
        let mut lock = FIRST_LOCK * 2;
        for _ in 0..20 {
            lock = t.failed("tech1", later).unwrap();
        }
        assert_eq!(lock, MAX_LOCK);
    }

    #[test]
    fn a_success_clears_the_name() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..FREE_FAILURES {
            t.failed("tech1", now);
        }
        assert!(t.check("tech1", now).is_err());
        t.succeeded("tech1");
        assert_eq!(t.check("tech1", now), Ok(()));
        assert_eq!(t.failed("tech1", now), None, "the count starts again");
    }

    #[test]
    fn a_full_table_makes_room_from_passed_locks_only() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for n in 0..MAX_NAMES {
            for _ in 0..FREE_FAILURES {
                t.failed(&format!("u{n}"), now);
            }
        }
        // Every name is locked: a new one is not tracked, and no lock is dropped.
        assert_eq!(t.failed("new", now), None);
        assert!(t.check("u0", now).is_err());
        // Once the locks have passed, they make room.
        let later = now + MAX_LOCK;
        t.failed("new", later);
        assert_eq!(t.names.lock().unwrap().len(), 1);
    }
}
