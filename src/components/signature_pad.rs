//! The signature pad: a canvas that follows finger and stylus with smooth, pressure-aware strokes.

use leptos::{html::Canvas, prelude::*};
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement, PointerEvent};

const INK: &str = "#14285a";
const BASE_WIDTH: f64 = 2.6;

/// Where the current stroke is: the last point and the last midpoint drawn to.
#[derive(Clone, Copy)]
struct Stroke {
    last: (f64, f64),
    mid: (f64, f64),
}

/// A signature pad. The drawing is kept as a PNG data URL after each stroke, so a parent can
/// keep it in a draft and give it back: the pad draws a given drawing when it opens, and
/// clears itself when the drawing is set to `None`.
#[component]
pub fn SignaturePad(
    /// The drawing as a `data:image/png;base64,` URL; `None` while nothing is drawn.
    drawing: RwSignal<Option<String>>,
    /// The hint under the line ("请在此签名").
    #[prop(into)]
    hint: Signal<&'static str>,
    /// The clear button's label.
    #[prop(into)]
    clear_label: Signal<&'static str>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let stroke = StoredValue::new(None::<Stroke>);
    let has_ink = move || drawing.with(Option::is_some);

    // Match the bitmap to the displayed size and the screen's pixel density once mounted,
    // then draw what was kept.
    Effect::new(move || {
        if let Some(c) = canvas.get() {
            fit(&c);
            if let Some(url) = drawing.get_untracked() {
                paint(&c, &url);
            }
        }
    });
    // The drawing discarded from outside (a draft thrown away): a blank pad.
    Effect::new(move |_| {
        if drawing.with(Option::is_none)
            && let Some(c) = canvas.get_untracked()
        {
            fit(&c);
        }
    });

    let point = move |ev: &PointerEvent| -> Option<(f64, f64)> {
        let c = canvas.get_untracked()?;
        let rect = c.get_bounding_client_rect();
        Some((
            f64::from(ev.client_x()) - rect.left(),
            f64::from(ev.client_y()) - rect.top(),
        ))
    };
    let width = |ev: &PointerEvent| {
        let pressure = f64::from(ev.pressure());
        if ev.pointer_type() == "pen" && pressure > 0.0 {
            BASE_WIDTH * (0.45 + 1.1 * pressure)
        } else {
            BASE_WIDTH
        }
    };

    let down = move |ev: PointerEvent| {
        ev.prevent_default();
        let (Some(c), Some(p)) = (canvas.get_untracked(), point(&ev)) else {
            return;
        };
        // A synthetic or already-released pointer cannot be captured; drawing works without it.
        let _ = c.set_pointer_capture(ev.pointer_id());
        if let Some(ctx) = context(&c) {
            ctx.begin_path();
            ctx.arc(p.0, p.1, width(&ev) / 2.0, 0.0, std::f64::consts::TAU)
                .ok();
            ctx.fill();
        }
        stroke.set_value(Some(Stroke { last: p, mid: p }));
    };
    let moved = move |ev: PointerEvent| {
        let Some(s) = stroke.get_value() else { return };
        ev.prevent_default();
        let (Some(c), Some(p)) = (canvas.get_untracked(), point(&ev)) else {
            return;
        };
        let mid = ((s.last.0 + p.0) / 2.0, (s.last.1 + p.1) / 2.0);
        if let Some(ctx) = context(&c) {
            ctx.set_line_width(width(&ev));
            ctx.begin_path();
            ctx.move_to(s.mid.0, s.mid.1);
            ctx.quadratic_curve_to(s.last.0, s.last.1, mid.0, mid.1);
            ctx.stroke();
        }
        stroke.set_value(Some(Stroke { last: p, mid }));
    };
    let up = move |_: PointerEvent| {
        if let (Some(s), Some(c)) = (stroke.get_value(), canvas.get_untracked()) {
            if let Some(ctx) = context(&c) {
                ctx.begin_path();
                ctx.move_to(s.mid.0, s.mid.1);
                ctx.line_to(s.last.0, s.last.1);
                ctx.stroke();
            }
            if let Ok(url) = c.to_data_url() {
                drawing.set(Some(url));
            }
        }
        stroke.set_value(None);
    };
    let clear = move |_| drawing.set(None);

    view! {
        <div class="signature-pad">
            <canvas
                id="signature-pad"
                node_ref=canvas
                on:pointerdown=down
                on:pointermove=moved
                on:pointerup=up
                on:pointercancel=up
            ></canvas>
            <div class="sign-line" class:hidden=has_ink>{move || hint.get()}</div>
            <button type="button" id="signature-clear" class="secondary" on:click=clear>{move || clear_label.get()}</button>
        </div>
    }
}

/// A drawing's PNG bytes, or `None` if `url` is not a PNG data URL.
pub fn signature_png(url: &str) -> Option<Vec<u8>> {
    use base64::{Engine, engine::general_purpose::STANDARD};
    STANDARD
        .decode(url.strip_prefix("data:image/png;base64,")?)
        .ok()
}

/// Draws a kept drawing over the whole pad, once its image has decoded.
fn paint(c: &HtmlCanvasElement, url: &str) {
    let Ok(image) = HtmlImageElement::new() else {
        return;
    };
    let (c, shown) = (c.clone(), image.clone());
    let onload = Closure::once_into_js(move || {
        let rect = c.get_bounding_client_rect();
        if let Some(ctx) = context(&c) {
            let _ = ctx.draw_image_with_html_image_element_and_dw_and_dh(
                &shown,
                0.0,
                0.0,
                rect.width(),
                rect.height(),
            );
        }
    });
    image.set_onload(Some(onload.unchecked_ref()));
    image.set_src(url);
}

fn context(c: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    c.get_context("2d").ok().flatten()?.dyn_into().ok()
}

/// Sizes the bitmap to the element at the device's pixel ratio; this also clears it.
fn fit(c: &HtmlCanvasElement) {
    let rect = c.get_bounding_client_rect();
    let ratio = window().device_pixel_ratio().max(1.0);
    c.set_width((rect.width() * ratio).round().max(1.0) as u32);
    c.set_height((rect.height() * ratio).round().max(1.0) as u32);
    if let Some(ctx) = context(c) {
        let _ = ctx.scale(ratio, ratio);
        ctx.set_line_cap("round");
        ctx.set_line_join("round");
        ctx.set_stroke_style_str(INK);
        ctx.set_fill_style_str(INK);
    }
}
