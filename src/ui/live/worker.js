// The page's live stream, owned by a dedicated worker (src/ui/live/pipe.rs says why; the
// page builds this worker from this text, compiled into its wasm). It opens the listener's
// EventSource when the page asks and hands the page every message in the order received,
// batched: one transferred ArrayBuffer at most every FLUSH_MS, not one postMessage per
// message. A batch is a run of frames (src/view/live/frames.rs reads them):
//   [kind u8][id length u32 LE][id UTF-8][data length u32 LE][data UTF-8]
// kind: an index into NAMES, or FAILED (the EventSource's error: the worker closes it, and
// the page decides when to open another, from the last sequence it has).
//
// The page says {open: URL, session, stream} (close any stream, open this one) or
// {close: true}. Every batch carries the session and stream of the stream it was read
// from: the page ignores batches of a stream it has left.
"use strict";

const NAMES = ["hello", "gap", "events", "status", "bye"];
const FAILED = 255;
// At most this long between a message's arrival and its batch's post: the page stores in
// 8 ms slices, so 4 ms adds little to the export → page latency.
const FLUSH_MS = 4;
// A batch this large goes at once (the page copies it into its memory in one block).
const FLUSH_BYTES = 1 << 20;

const encoder = new TextEncoder();
let source = null;
let tag = null;
let buf = new Uint8Array(1 << 16);
let len = 0;
let timer = 0;

function reserve(n) {
  if (len + n <= buf.length) return;
  const bigger = new Uint8Array(Math.max(buf.length * 2, len + n));
  bigger.set(buf.subarray(0, len));
  buf = bigger;
}

function putU32(at, v) {
  buf[at] = v & 255;
  buf[at + 1] = (v >>> 8) & 255;
  buf[at + 2] = (v >>> 16) & 255;
  buf[at + 3] = (v >>> 24) & 255;
}

function putText(s) {
  // UTF-8 takes at most 3 bytes per UTF-16 unit.
  reserve(4 + s.length * 3);
  const at = len;
  len += 4;
  const { written } = encoder.encodeInto(s, buf.subarray(len));
  len += written;
  putU32(at, written);
}

function frame(kind, id, data) {
  reserve(1);
  buf[len++] = kind;
  putText(id);
  putText(data);
  if (len >= FLUSH_BYTES) flush();
  else if (!timer) timer = setTimeout(flush, FLUSH_MS);
}

function flush() {
  if (timer) clearTimeout(timer);
  timer = 0;
  if (len === 0 || tag === null) {
    len = 0;
    return;
  }
  const bytes = buf.slice(0, len).buffer;
  len = 0;
  postMessage({ session: tag.session, stream: tag.stream, bytes }, [bytes]);
}

// What the closed stream read and did not hand over yet is dropped: the page has left
// that stream (it asked to close it), so it would ignore it anyway.
function close() {
  if (timer) clearTimeout(timer);
  timer = 0;
  len = 0;
  if (source) source.close();
  source = null;
  tag = null;
}

function open(url) {
  let s;
  try {
    s = new EventSource(url);
  } catch (e) {
    frame(FAILED, "", String(e));
    flush();
    tag = null;
    return;
  }
  source = s;
  NAMES.forEach((name, kind) => {
    s.addEventListener(name, (ev) => {
      if (source === s) frame(kind, ev.lastEventId || "", typeof ev.data === "string" ? ev.data : "");
    });
  });
  // The browser would retry with the URL it was opened with (`from=` the old number):
  // closed here, and the page opens the next stream where it stopped.
  s.onerror = () => {
    if (source !== s) return;
    frame(FAILED, "", "");
    flush();
    close();
  };
}

onmessage = (ev) => {
  const m = ev.data || {};
  close();
  if (typeof m.open === "string") {
    tag = { session: m.session, stream: m.stream };
    open(m.open);
  }
};
