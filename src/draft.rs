//! What is typed into a form of either app, kept in localStorage as it is typed: a form
//! survives Back, a reload, a logout and a crash, and is cleared only once its record is saved.

use leptos::prelude::*;
use serde::{Serialize, de::DeserializeOwned};
use wasm_bindgen::JsValue;

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
        .and_then(|text| from_json(&text));
    // A form left as it opened keeps no draft.
    let untouched = to_json(&fresh);
    let signal = RwSignal::new(stored.unwrap_or(fresh));
    Effect::new(move || {
        let text = signal.with(to_json);
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

// JSON through the browser's own parser: serde_json would add its weight to the field bundle.
fn to_json<T: Serialize>(value: &T) -> Option<String> {
    let js = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()?;
    js_sys::JSON::stringify(&js).ok()?.as_string()
}

fn from_json<T: DeserializeOwned>(text: &str) -> Option<T> {
    let js: JsValue = js_sys::JSON::parse(text).ok()?;
    serde_wasm_bindgen::from_value(js).ok()
}
