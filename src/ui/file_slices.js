// The file being opened, read in slices by a dedicated worker (src/ui/file_slices.rs says
// why; the page builds this worker from this text, compiled into its wasm).
//
// The page says {file, slice, ahead} once: the worker asks the browser for the first
// `ahead` slices of `slice` bytes at once and posts each as it comes, in the file's order,
// as {start, bytes} with the ArrayBuffer transferred (not copied), or {start, failed: true}
// if the browser could not read it. Each {taken: true} from the page (a slice it has
// started to feed) lets the worker ask for one more, so at most `ahead` slices are read
// ahead of the page, whatever its speed.
"use strict";

let file = null;
let slice = 0;
let ahead = 0;
let asked = 0;        // where the next slice begins
let unanswered = 0;   // slices asked for and not yet taken by the page
let posted = Promise.resolve();

function ask() {
  while (file !== null && unanswered < ahead && asked < file.size) {
    const start = asked;
    const end = Math.min(start + slice, file.size);
    asked = end;
    unanswered++;
    // Read at once, posted in order: each post waits for the ones asked before it.
    const read = file.slice(start, end).arrayBuffer();
    posted = posted.then(() => read).then(
      (bytes) => postMessage({ start, bytes }, [bytes]),
      () => postMessage({ start, failed: true }),
    );
  }
}

onmessage = (e) => {
  const m = e.data;
  if (m.file) {
    file = m.file;
    slice = m.slice;
    ahead = m.ahead;
    ask();
  } else if (m.taken) {
    unanswered--;
    ask();
  }
};
