//! What is typed into a form of either app, kept in localStorage as it is typed: a form
//! survives Back, a reload, a logout and a crash, and is cleared only once its record is saved.

use leptos::prelude::*;
use serde::{Serialize, de::DeserializeOwned};

const PREFIX: &str = "revisit.draft.";

fn local_storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// A signal holding the form `key`'s fields: the kept draft if there is one, else `fresh`;
/// every change is kept again.
pub fn kept<T>(key: String, fresh: T) -> RwSignal<T>
where
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    let stored = local_storage()
        .and_then(|s| s.get_item(&format!("{PREFIX}{key}")).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok());
    // A form left as it opened keeps no draft.
    let untouched = serde_json::to_string(&fresh).ok();
    let signal = RwSignal::new(stored.unwrap_or(fresh));
    Effect::new(move || {
        let text = signal.with(|d| serde_json::to_string(d).ok());
        let Some(storage) = local_storage() else {
            return;
        };
        let name = format!("{PREFIX}{key}");
        match text {
            Some(text) if Some(&text) != untouched.as_ref() => {
                let _ = storage.set_item(&name, &text);
            }
            _ => {
                let _ = storage.remove_item(&name);
            }
        }
    });
    signal
}

/// Whether form `key` has a kept draft.
pub fn exists(key: &str) -> bool {
    local_storage()
        .and_then(|s| s.get_item(&format!("{PREFIX}{key}")).ok().flatten())
        .is_some()
}

/// Forgets form `key`'s draft (its record was saved).
pub fn clear(key: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(&format!("{PREFIX}{key}"));
    }
}
