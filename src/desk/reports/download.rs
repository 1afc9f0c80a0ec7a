//! Saving a text the page made as a file: a Blob, an object URL and a click on a link with
//! `download`, all in the page (no server round trip, so it works offline too).

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

/// Offers `text` as the CSV file `name`.
pub(super) fn csv(name: &str, text: &str) {
    if let Err(e) = save(name, text, "text/csv;charset=utf-8") {
        leptos::logging::warn!("export failed: {e:?}");
    }
}

fn save(name: &str, text: &str, mime: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let a: HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // The download has started from the URL by the next turn; then it can go.
    set_timeout(
        move || {
            let _ = Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(1),
    );
    Ok(())
}
