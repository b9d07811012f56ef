//! # gzip bodies, inflated within a bound
//!
//! OTLP/HTTP requires receivers to accept `Content-Encoding: gzip`. A small gzip body can
//! inflate to gigabytes (a "bomb"), so the body is inflated through a reader that stops one
//! byte past the limit: the bytes held never exceed the limit, however the stream was
//! built, and an over-limit body is refused (413) rather than inflated whole.

use std::io::Read;

use flate2::read::MultiGzDecoder;

/// Why a gzip body was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InflateError {
    /// It inflates to more than `limit` bytes.
    TooLarge { limit: usize },
    /// It is not a valid gzip stream.
    Corrupt(String),
}

impl std::fmt::Display for InflateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InflateError::TooLarge { limit } => write!(
                f,
                "the gzip body inflates to more than {limit} bytes, the limit (--max-inflated)"
            ),
            InflateError::Corrupt(why) => write!(
                f,
                "the body is not valid gzip: {}",
                crate::text::Excerpt::clipped_at(why, 200)
            ),
        }
    }
}

/// Inflates `gz`, holding at most `limit` bytes (see the module docs).
pub fn gunzip(gz: &[u8], limit: usize) -> Result<Vec<u8>, InflateError> {
    let mut out = Vec::with_capacity((gz.len() * 4).min(limit));
    let mut reader = MultiGzDecoder::new(gz).take(limit as u64 + 1);
    reader
        .read_to_end(&mut out)
        .map_err(|e| InflateError::Corrupt(e.to_string()))?;
    if out.len() > limit {
        return Err(InflateError::TooLarge { limit });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn a_body_within_the_limit_inflates_whole() {
        assert_eq!(gunzip(&gz(b"hello"), 5).unwrap(), b"hello");
    }

    #[test]
    fn a_bomb_is_refused_after_limit_bytes() {
        let bomb = gz(&vec![0u8; 10 << 20]);
        assert!(bomb.len() < 64 << 10, "{}", bomb.len());
        assert_eq!(
            gunzip(&bomb, 1 << 20),
            Err(InflateError::TooLarge { limit: 1 << 20 })
        );
    }

    #[test]
    fn garbage_is_corrupt_not_a_panic() {
        assert!(matches!(
            gunzip(b"\x1f\x8b\x08garbage", 100),
            Err(InflateError::Corrupt(_))
        ));
    }
}
