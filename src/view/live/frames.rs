//! # The stream's messages as its worker hands them to the page
//!
//! The page's `EventSource` lives in a dedicated worker (`src/ui/live/worker.js`): the
//! browser's parsing of the stream (2.7–3.1 s of the main thread's time per 300 000 events,
//! docs/live-page.md) and the text's encoding to UTF-8 happen there. The worker hands the
//! page what it read in batches, one transferred `ArrayBuffer` every few ms, not one
//! `postMessage` per message: a batch is a run of frames, each
//!
//! ```text
//! [kind: u8][id length: u32 LE][id: UTF-8][data length: u32 LE][data: UTF-8]
//! ```
//!
//! where `kind` is an index into [`NAMES`] or [`FAILED`] (the stream failed or closed: the
//! `EventSource`'s `error`). [`Frames`] reads a batch back, in order, borrowing from it. The
//! worker is ours, but its bytes are still checked: a cut or unknown frame ends the batch
//! with a bounded description, never a panic.

/// The messages the listener sends (see `docs/live.md`), by their index in a frame.
pub const NAMES: [&str; 5] = ["hello", "gap", "events", "status", "bye"];
/// The kind of a frame that says the stream failed or closed.
pub const FAILED: u8 = 255;

/// One frame of a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A message named `name`, with its `id` (`lastEventId`) and `data`.
    Message {
        name: &'static str,
        id: &'a str,
        data: &'a str,
    },
    /// The stream failed or closed.
    Failed,
}

/// The frames of one batch, in the order the worker received them; see the module docs.
pub struct Frames<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Frames<'a> {
    pub fn new(bytes: &'a [u8]) -> Frames<'a> {
        Frames { bytes, at: 0 }
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let part = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(part)
    }

    fn text(&mut self) -> Result<&'a str, String> {
        let len = self.take(4).ok_or("a frame cut in its length")?;
        let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
        let text = self.take(len).ok_or("a frame cut in its text")?;
        std::str::from_utf8(text).map_err(|_| "a frame whose text is not UTF-8".to_string())
    }

    fn frame(&mut self) -> Result<Frame<'a>, String> {
        let kind = self.take(1).ok_or("an empty frame")?[0];
        let name = match kind {
            FAILED => None,
            k => Some(
                *NAMES
                    .get(k as usize)
                    .ok_or_else(|| format!("a frame of unknown kind {k}"))?,
            ),
        };
        let (id, data) = (self.text()?, self.text()?);
        Ok(match name {
            Some(name) => Frame::Message { name, id, data },
            None => Frame::Failed,
        })
    }
}

impl<'a> Iterator for Frames<'a> {
    /// A frame, or why the rest of the batch cannot be read (then nothing more).
    type Item = Result<Frame<'a>, String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.bytes.len() {
            return None;
        }
        let frame = self.frame();
        if frame.is_err() {
            self.at = self.bytes.len();
        }
        Some(frame)
    }
}

/// Writes one frame the way the worker does (the tests, and a record of the format).
pub fn write(out: &mut Vec<u8>, kind: u8, id: &str, data: &str) {
    out.push(kind);
    for text in [id, data] {
        out.extend_from_slice(&(text.len() as u32).to_le_bytes());
        out.extend_from_slice(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_batch_reads_back_in_order_with_its_failures() {
        let mut b = Vec::new();
        write(&mut b, 0, "", "{\"listener\":\"lineage\"}");
        write(&mut b, 2, "42", "é\n{}");
        write(&mut b, FAILED, "", "");
        write(&mut b, 4, "", "shutting down");
        let got: Vec<_> = Frames::new(&b).collect();
        assert_eq!(
            got,
            vec![
                Ok(Frame::Message {
                    name: "hello",
                    id: "",
                    data: "{\"listener\":\"lineage\"}"
                }),
                Ok(Frame::Message {
                    name: "events",
                    id: "42",
                    data: "é\n{}"
                }),
                Ok(Frame::Failed),
                Ok(Frame::Message {
                    name: "bye",
                    id: "",
                    data: "shutting down"
                }),
            ]
        );
    }

    #[test]
    fn a_cut_or_unknown_frame_ends_the_batch_with_a_reason() {
        let mut b = Vec::new();
        write(&mut b, 3, "", "{}");
        let whole = b.len();
        write(&mut b, 2, "7", "abc");
        for cut in whole + 1..b.len() {
            let got: Vec<_> = Frames::new(&b[..cut]).collect();
            assert_eq!(got.len(), 2, "cut at {cut}");
            assert!(got[0].is_ok());
            assert!(got[1].as_ref().is_err_and(|e| e.contains("cut")), "{got:?}");
        }
        let got: Vec<_> = Frames::new(&[9, 0, 0, 0, 0, 0, 0, 0, 0]).collect();
        assert_eq!(got, vec![Err("a frame of unknown kind 9".to_string())]);
        let mut b = Vec::new();
        write(&mut b, 0, "", "ok");
        b[5 + 4] = 0xff;
        let got: Vec<_> = Frames::new(&b).collect();
        assert_eq!(
            got,
            vec![Err("a frame whose text is not UTF-8".to_string())]
        );
        // A length past the end (a hostile u32) is a cut, not an allocation.
        let got: Vec<_> = Frames::new(&[0, 0xff, 0xff, 0xff, 0xff]).collect();
        assert!(got[0].as_ref().is_err_and(|e| e.contains("cut")));
    }
}
