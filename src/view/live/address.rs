//! # Where the listener is
//!
//! The *Live…* control and the `?live=` link take what a person types: `127.0.0.1:4318`,
//! `localhost:4318`, `http://host:4318/`, or `/` for the page's own origin (a proxy in front
//! of the listener). [`LiveAddress::parse`] makes it a base URL, and
//! [`LiveAddress::stream_url`] the stream's URL at a sequence number, with the token as a
//! query parameter (an `EventSource` cannot send an `Authorization` header).

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

/// A listener's base URL (no trailing slash; empty for the page's own origin) and token.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveAddress {
    pub base: String,
    pub token: Option<String>,
}

impl LiveAddress {
    /// Reads a typed address; `Err` says why it is not one, in a sentence.
    pub fn parse(typed: &str, token: Option<&str>) -> Result<LiveAddress, String> {
        let t = typed.trim();
        if t.is_empty() {
            return Err("type the listener's address, e.g. 127.0.0.1:4318".into());
        }
        let token = token
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from);
        if t == "/" {
            return Ok(LiveAddress {
                base: String::new(),
                token,
            });
        }
        let with_scheme = if t.contains("://") {
            t.to_string()
        } else {
            format!("http://{t}")
        };
        let (scheme, rest) = with_scheme.split_once("://").expect("has ://");
        if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
            return Err(format!(
                "`{}` is not an http(s) address",
                super::message::bounded(t, 60)
            ));
        }
        let host = rest.trim_end_matches('/');
        let bad = |c: char| c.is_whitespace() || c.is_control() || "?#\"<>\\".contains(c);
        if host.is_empty() || host.contains(bad) {
            return Err(format!(
                "`{}` is not a listener address (host:port)",
                super::message::bounded(t, 60)
            ));
        }
        Ok(LiveAddress {
            base: format!("{}://{host}", scheme.to_ascii_lowercase()),
            token,
        })
    }

    /// The stream's URL, resuming at sequence number `from`.
    pub fn stream_url(&self, from: u64) -> String {
        let mut url = format!(
            "{}/v1/stream?from={from}&encoding={}",
            self.base,
            super::compact::ENCODING
        );
        if let Some(t) = &self.token {
            url.push_str("&token=");
            url.extend(utf8_percent_encode(t, NON_ALPHANUMERIC));
        }
        url
    }

    /// What the page shows for it.
    pub fn label(&self) -> &str {
        if self.base.is_empty() {
            "this page's origin"
        } else {
            self.base
                .split_once("://")
                .map_or(&self.base, |(_, host)| host)
        }
    }

    /// What `?live=` holds for it: the base URL, or `/` for the page's own origin.
    pub fn for_link(&self) -> &str {
        if self.base.is_empty() {
            "/"
        } else {
            &self.base
        }
    }
}
