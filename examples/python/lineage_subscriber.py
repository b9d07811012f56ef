"""Stream the Python original's bus to `lineage listen` while it runs.

Three lines to use it (after `lineage listen` is running):

    from lineage_subscriber import LineageSubscriber
    subscriber = LineageSubscriber("http://127.0.0.1:4318", serializer=EventSerializer.to_dict)
    bus.subscribe(subscriber)  # register it for every event, as your bus spells it

Without `serializer`, a dict is sent as it is and a pydantic event as `model_dump(mode="json")`.
A bus that awaits its handlers takes `subscriber.handle` (a coroutine) instead.

The subscriber never blocks the bus. Calling it turns the event into one JSON line (the
`EventSerializer.to_dict` shape `lineage summary` reads) and puts it on a bounded queue; a
background thread batches the lines (up to 1 000, or what arrived in 50 ms) and POSTs them to
`/v1/events`. When the queue is full or the listener is away, events are dropped and counted
(`subscriber.stats()`), never waited for. Only the standard library is used.
"""

import atexit
import gzip
import json
import queue
import threading
import time
import urllib.error
import urllib.request

_CLOSE = object()


def to_dict(event):
    """The event as `EventSerializer.to_dict` gives it: a dict as is, a pydantic model dumped
    as JSON-ready values, else the object's own `to_dict()`."""
    if isinstance(event, dict):
        return event
    if hasattr(event, "model_dump"):
        return event.model_dump(mode="json")
    return event.to_dict()


class LineageSubscriber:
    """A bus handler that streams each event to a lineage listener; see the module docs."""

    def __init__(self, url="http://127.0.0.1:4318", token=None, serializer=to_dict,
                 batch=1000, linger=0.05, queue_size=100_000, gzip_bodies=False):
        self.url = url.rstrip("/") + "/v1/events"
        self.token, self.serializer = token, serializer
        self.batch, self.linger, self.gzip_bodies = batch, linger, gzip_bodies
        self._queue = queue.Queue(maxsize=queue_size)
        # Counters: each is written by one thread only, so no lock is needed.
        self.queued = self.dropped_here = 0  # by the bus's thread
        self.accepted = self.rejected = self.dropped_away = self.requests = 0  # by the sender
        self._thread = threading.Thread(target=self._run, name="lineage-subscriber", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def __call__(self, event):
        """The handler: never blocks, never raises into the bus; drops (and counts) an event
        when the queue is full or the event cannot be serialised."""
        try:
            line = json.dumps(self.serializer(event), default=str)
            self._queue.put_nowait(line)
            self.queued += 1
        except (queue.Full, TypeError, ValueError, AttributeError):
            self.dropped_here += 1

    async def handle(self, event):
        """The same, for a bus that awaits its handlers."""
        self(event)

    def close(self, timeout=10.0):
        """Sends what is queued (waiting at most `timeout` seconds) and stops the thread."""
        if self._thread.is_alive():
            try:
                self._queue.put(_CLOSE, timeout=timeout)
            except queue.Full:
                pass
            self._thread.join(timeout)
        return self.stats()

    def stats(self):
        return {"queued": self.queued, "accepted": self.accepted, "rejected": self.rejected,
                "dropped": self.dropped_here + self.dropped_away, "requests": self.requests}

    def _run(self):
        closing = False
        while not closing:
            lines, item = [], self._queue.get()
            deadline = time.monotonic() + self.linger
            while True:
                if item is _CLOSE:
                    closing = True
                    break
                lines.append(item)
                if len(lines) >= self.batch:
                    break
                try:
                    item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
            if lines:
                self._post(lines)

    def _post(self, lines, attempts=3):
        body = ("\n".join(lines) + "\n").encode()
        headers = {"Content-Type": "application/x-ndjson"}
        if self.gzip_bodies:
            body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        for _ in range(attempts):
            request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    answer = json.loads(response.read() or b"{}")
                self.requests += 1
                self.accepted += answer.get("accepted", 0)
                self.rejected += answer.get("rejected", 0)
                return
            except urllib.error.HTTPError as e:  # 429/503: full; wait as asked, a little
                if e.code == 400:  # nothing in the batch could be read
                    self.rejected += len(lines)
                    return
                if e.code not in (429, 503):
                    break
                time.sleep(min(float(e.headers.get("Retry-After") or 1), 5.0))
            except (OSError, ValueError):  # the listener is away (or answered nonsense)
                break
        self.dropped_away += len(lines)
