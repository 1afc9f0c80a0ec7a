//! Security headers on every response (API, client files, errors) and the Content-Security-Policy.
//!
//! The policy lets a page run only this origin's scripts and WebAssembly
//! (`'wasm-unsafe-eval'`), and inline scripts only by their SHA-256: the built `index.html`
//! holds two, the loader Trunk writes (whose text names the build's hashed files, so it changes
//! with every build) and the service worker's registration. The client files' module computes
//! their hashes from the `index.html` it serves ([`inline_script_hashes`]); every other response
//! gets the policy without them.

use axum::{
    Router,
    http::{
        HeaderName, HeaderValue,
        header::{
            CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
        },
    },
};
use base64::{Engine, engine::general_purpose::STANDARD};
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

/// `router` with the security headers on every response; a Content-Security-Policy already set
/// (the client's pages, with their inline scripts' hashes) is kept.
pub(crate) fn with_headers(router: Router) -> Router {
    const COOP: HeaderName = HeaderName::from_static("cross-origin-opener-policy");
    let fixed = [
        (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (REFERRER_POLICY, "no-referrer"),
        (X_FRAME_OPTIONS, "DENY"),
        (COOP, "same-origin"),
    ];
    let csp = HeaderValue::try_from(content_security_policy(&[]))
        .expect("the policy is ASCII without control characters");
    fixed.into_iter().fold(
        router.layer(SetResponseHeaderLayer::if_not_present(
            CONTENT_SECURITY_POLICY,
            csp,
        )),
        |router, (name, value)| {
            router.layer(SetResponseHeaderLayer::overriding(
                name,
                HeaderValue::from_static(value),
            ))
        },
    )
}

/// The Content-Security-Policy of a page whose inline scripts have these hashes
/// (`sha256-…`, as [`inline_script_hashes`] gives them).
pub fn content_security_policy(script_hashes: &[String]) -> String {
    let mut scripts = String::from("'self' 'wasm-unsafe-eval'");
    for hash in script_hashes {
        scripts.push_str(" '");
        scripts.push_str(hash);
        scripts.push('\'');
    }
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self' data: blob:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// `sha256-<base64>` of the text of each inline `<script>` (one without `src`) in `html`, as
/// a browser hashes it for a policy.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = find_ascii_case_insensitive(rest, "<script") {
        rest = &rest[start + "<script".len()..];
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let attributes = rest[..open_end].to_ascii_lowercase();
        rest = &rest[open_end + 1..];
        let Some(close) = find_ascii_case_insensitive(rest, "</script") else {
            break;
        };
        let text = &rest[..close];
        rest = &rest[close..];
        let has_src = attributes
            .split(|c: char| c.is_ascii_whitespace())
            .any(|a| a == "src" || a.starts_with("src="));
        if !has_src {
            hashes.push(format!("sha256-{}", STANDARD.encode(Sha256::digest(text))));
        }
    }
    hashes
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let html = "<head><script type=\"module\">import init from '/a.js';</script>\n\
                    <SCRIPT src=\"/b.js\"></SCRIPT><script>\n  go();\n</script></head>";
        let hashes = inline_script_hashes(html);
        let expected = |text: &str| format!("sha256-{}", STANDARD.encode(Sha256::digest(text)));
        assert_eq!(
            hashes,
            [
                expected("import init from '/a.js';"),
                expected("\n  go();\n")
            ]
        );
        // The digest of `alert(1)`, as browsers print it in a CSP violation report.
        assert_eq!(
            inline_script_hashes("<script>alert(1)</script>"),
            ["sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI="]
        );
        assert!(inline_script_hashes("<p>no scripts</p><script").is_empty());
    }

    #[test]
    fn the_policy_allows_this_origins_wasm_and_the_hashed_inline_scripts_only() {
        let csp = content_security_policy(&["sha256-abc=".into()]);
        for directive in [
            "default-src 'self'",
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-abc='",
            "img-src 'self' data: blob:",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "object-src 'none'",
        ] {
            assert!(csp.contains(directive), "{directive} in {csp}");
        }
        assert!(!csp.contains("unsafe-inline"));
    }
}
