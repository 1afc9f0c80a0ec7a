//! Tabs of one browser profile share one IndexedDB: one of them syncs at a time (the sync
//! leader, through the Web Locks API), and a tab that changed the stored data tells the others
//! (a `BroadcastChannel`), so every tab shows the same data.
//!
//! Two tabs syncing at once would send the same outbox batches twice (the server skips the
//! second by (device, seq), but the work and the traffic are doubled) and could store pulled
//! pages out of order; a tab that never hears of another's pull shows stale pages until it
//! pulls something itself. Browsers without Web Locks (before Safari 15.4) sync without it; the
//! server's idempotence keeps that correct.

use std::{cell::RefCell, future::Future};

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::BroadcastChannel;

/// The Web Lock a sync run holds, one per origin (both apps share the database).
const SYNC_LOCK: &str = "revisit.sync";
/// The channel on which tabs say that stored data changed.
const CHANNEL: &str = "revisit.data";

/// Runs `run` as the origin's only sync: waits while another tab's run holds the lock. The lock
/// is the browser's, so a tab closed or reloaded mid-run gives it up.
pub async fn as_sync_leader<T>(run: impl Future<Output = T>) -> T {
    let Some(held) = acquire(SYNC_LOCK).await else {
        return run.await;
    };
    let out = run.await;
    drop(held);
    out
}

/// A granted Web Lock, given back when dropped.
struct Held(Function);

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.0.call0(&JsValue::UNDEFINED);
    }
}

/// Asks for the lock `name` and waits until it is granted; `None` when the browser has no
/// Web Locks.
async fn acquire(name: &str) -> Option<Held> {
    let navigator = web_sys::window()?.navigator();
    let locks = Reflect::get(&navigator, &"locks".into()).ok()?;
    let request = Reflect::get(&locks, &"request".into())
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    // The lock is held until the promise the callback returns settles: `release` settles it.
    let mut release = None;
    let held_until = Promise::new(&mut |resolve, _| release = Some(resolve));
    let mut grant = None;
    let granted = Promise::new(&mut |resolve, _| grant = Some(resolve));
    let (release, grant) = (release?, grant?);
    let callback = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        let _ = grant.call0(&JsValue::UNDEFINED);
        held_until.into()
    });
    request.call2(&locks, &name.into(), &callback).ok()?;
    JsFuture::from(granted).await.ok()?;
    Some(Held(release))
}

thread_local! {
    /// This tab's end of the channel: a message is never delivered to the object that sent
    /// it, so a tab does not hear its own news.
    static TABS: RefCell<Option<BroadcastChannel>> = const { RefCell::new(None) };
}

/// Calls `changed` whenever another tab says the stored data changed.
pub fn on_change_elsewhere(changed: impl Fn() + 'static) {
    let Ok(channel) = BroadcastChannel::new(CHANNEL) else {
        return;
    };
    let listener = Closure::<dyn Fn(JsValue)>::new(move |_| changed());
    channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
    // The listener lives as long as the page.
    listener.forget();
    TABS.with(|t| *t.borrow_mut() = Some(channel));
}

/// Tells the other tabs that the stored data changed.
pub fn announce_change() {
    TABS.with(|t| {
        if let Some(channel) = t.borrow().as_ref() {
            let _ = channel.post_message(&JsValue::NULL);
        }
    });
}
