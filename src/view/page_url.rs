//! # The page's address: what a shared link reproduces
//!
//! The inspector keeps its state in the query string so a link reproduces a view: the
//! pipeline settings ([`PipelineConfig::to_query`], clamped to what the form allows), the
//! search text (`q=`), whether a live run was on screen (`run=1`: opening the link runs it
//! again) and the emit mode of a pinned run A (`pin=<mode>`: the link replays the two-run
//! diff, A in that mode and B in the settings' own) and a live source (`live=ADDRESS`, with
//! `token=T` if the listener wants one: the page connects to it on opening, see
//! [`crate::view::live`]). [`PageUrl`] reads and writes all of it;
//! the page only hands it `location.search` and puts [`PageUrl::to_query`] in the address
//! bar.
//!
//! The search text is percent-encoded as `encodeURIComponent` does (the
//! [`percent_encoding`] crate, with the characters that function leaves alone), so the
//! links the page wrote before this type existed still open. A malformed escape makes the
//! search empty, as `decodeURIComponent` failing did.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::core::EmitMode;
use crate::workload::query::segments;
use crate::workload::PipelineConfig;

/// What `encodeURIComponent` escapes: everything but letters, digits and `-_.!~*'()`.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Everything the page's address holds.
#[derive(Clone, Debug, PartialEq)]
pub struct PageUrl {
    pub config: PipelineConfig,
    /// The filter's search text (empty: none).
    pub search: String,
    /// A live run was on screen: opening the link runs the settings again.
    pub run: bool,
    /// The emit mode of the pinned run A, for a live pin.
    pub pin: Option<EmitMode>,
    /// A listener to follow (`live=`, as typed: `127.0.0.1:4318`, `http://host:port`, `/`).
    pub live: Option<String>,
    /// Its bearer token (`token=`).
    pub token: Option<String>,
}

impl PageUrl {
    /// Reads a query string (with or without the leading `?`); settings absent or invalid
    /// come from `base`, and unknown keys are ignored (a link with a typo still opens).
    pub fn parse(query: &str, base: PipelineConfig) -> PageUrl {
        // The first `q=` and `pin=` count, as the page has always read them.
        let first = |key: &str| segments(query).find_map(|p| p.strip_prefix(key));
        PageUrl {
            config: PipelineConfig::from_query(query, base),
            search: first("q=").map(decode).unwrap_or_default(),
            run: segments(query).any(|p| p == "run=1"),
            pin: first("pin=").and_then(EmitMode::parse),
            live: first("live=").map(decode).filter(|s| !s.is_empty()),
            token: first("token=").map(decode).filter(|s| !s.is_empty()),
        }
    }

    /// The query string, without the leading `?`: the settings, then `run`, `pin` and `q`
    /// when there is something to say.
    pub fn to_query(&self) -> String {
        let mut q = self.config.to_query();
        if self.run {
            q.push_str("&run=1");
        }
        if let Some(mode) = self.pin {
            q.push_str("&pin=");
            q.push_str(&mode.spec());
        }
        for (key, value) in [("live", &self.live), ("token", &self.token)] {
            if let Some(v) = value {
                q.push_str(&format!("&{key}="));
                q.extend(utf8_percent_encode(v, COMPONENT));
            }
        }
        if !self.search.is_empty() {
            q.push_str("&q=");
            q.extend(utf8_percent_encode(&self.search, COMPONENT));
        }
        q
    }
}

/// A percent-encoded value, or empty when it is malformed (a `%` without two hex digits, or
/// bytes that are not UTF-8).
fn decode(v: &str) -> String {
    let b = v.as_bytes();
    let well_formed = b.iter().enumerate().all(|(i, &c)| {
        c != b'%'
            || (i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit())
    });
    if !well_formed {
        return String::new();
    }
    percent_decode_str(v)
        .decode_utf8()
        .map(|s| s.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn page(search: &str, run: bool, pin: Option<EmitMode>) -> PageUrl {
        PageUrl {
            config: PipelineConfig {
                operations: 70,
                mode: EmitMode::ALL[1],
                ..PipelineConfig::default()
            },
            search: search.to_owned(),
            run,
            pin,
            live: None,
            token: None,
        }
    }

    #[test]
    fn a_live_source_and_its_token_survive_a_round_trip() {
        let mut url = page("x", false, None);
        url.live = Some("http://127.0.0.1:4318".into());
        url.token = Some("s&cret=/".into());
        let q = url.to_query();
        assert!(
            q.contains("&live=http%3A%2F%2F127.0.0.1%3A4318&token=s%26cret%3D%2F"),
            "{q}"
        );
        assert_eq!(PageUrl::parse(&q, PipelineConfig::default()).live, url.live);
        assert_eq!(
            PageUrl::parse(&q, PipelineConfig::default()).token,
            url.token
        );
        let typed = PageUrl::parse("?live=127.0.0.1:4318", PipelineConfig::default());
        assert_eq!(typed.live.as_deref(), Some("127.0.0.1:4318"));
        assert_eq!(typed.token, None);
    }

    #[test]
    fn everything_the_page_keeps_survives_a_round_trip_through_the_address() {
        for url in [
            page("", false, None),
            page("kind:processing fail", true, None),
            page("naïve & co = 100% (ok)?#", true, Some(EmitMode::ALL[0])),
            page("a+b/c", false, Some(EmitMode::ALL[2])),
        ] {
            let back = PageUrl::parse(&format!("?{}", url.to_query()), PipelineConfig::default());
            assert_eq!(back, url, "{}", url.to_query());
        }
    }

    #[test]
    fn the_search_is_escaped_as_encode_uri_component_escapes_it() {
        let q = page("a b&c=d/é*(x)~'!", false, None).to_query();
        assert!(q.ends_with("&q=a%20b%26c%3Dd%2F%C3%A9*(x)~'!"), "{q}");
        assert!(!page("", true, None).to_query().contains("q="));
    }

    #[test]
    fn a_link_written_by_hand_opens_with_what_it_can_read() {
        let url = PageUrl::parse(
            "ops=5&run=1&pin=warp&q=%E2%9C%93%20ok&bogus",
            PipelineConfig::default(),
        );
        assert_eq!(url.config.operations, 5);
        assert!(url.run);
        assert_eq!(url.pin, None, "an unknown mode pins nothing");
        assert_eq!(url.search, "✓ ok");
        let plain = PageUrl::parse("run=0&pin=", PipelineConfig::default());
        assert!(!plain.run && plain.pin.is_none() && plain.search.is_empty());
    }

    #[test]
    fn a_malformed_escape_gives_no_search_rather_than_a_garbled_one() {
        for bad in ["q=50%", "q=%zz", "q=%C3", "q=ab%2"] {
            assert_eq!(
                PageUrl::parse(bad, PipelineConfig::default()).search,
                "",
                "{bad}"
            );
        }
    }
}
