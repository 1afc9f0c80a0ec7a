//! One value among a few, as a row of large touch buttons (回访方式, 联系结果, 满意度).

use leptos::prelude::*;

/// A row of buttons, one per value of `options`, the `chosen` one highlighted and pressed;
/// a tap calls `choose`. `class` sizes the row (`three`, `five` columns; two by default);
/// each button's `data-testid` is `testid` and the value's `code` (`channel-phone`).
pub fn choice<T>(
    class: &'static str,
    testid: &'static str,
    options: impl IntoIterator<Item = T>,
    code: fn(T) -> &'static str,
    chosen: impl Fn() -> Option<T> + Copy + Send + Sync + 'static,
    choose: impl Fn(T) + Copy + Send + Sync + 'static,
    label: impl Fn(T) -> &'static str + Copy + Send + Sync + 'static,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    view! {
        <div class=format!("segmented {class}")>
            {options.into_iter().map(|v| view! {
                <button type="button" data-testid=format!("{testid}-{}", code(v))
                    class:selected=move || chosen() == Some(v)
                    aria-pressed=move || (chosen() == Some(v)).to_string()
                    on:click=move |_| choose(v)>
                    {move || label(v)}
                </button>
            }).collect_view()}
        </div>
    }
}
