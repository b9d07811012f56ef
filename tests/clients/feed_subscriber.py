"""Feeds the Python original's dumps to examples/python/lineage_subscriber.py, line by line,
as the original's bus would hand each event to it, then prints the subscriber's counts.

    python3 feed_subscriber.py [--gzip] URL FILE...

The original's package is not installable here, so the events are the dicts
`EventSerializer.to_dict` wrote into the dumps; the subscriber takes dicts as they are.
"""

import json
import sys
import time

from lineage_subscriber import LineageSubscriber


def main():
    args = sys.argv[1:]
    gzip_bodies = args[:1] == ["--gzip"]
    url, files = args[gzip_bodies], args[gzip_bodies + 1:]
    subscriber = LineageSubscriber(url, linger=0.01, batch=16, gzip_bodies=gzip_bodies)
    fed, longest_call = 0, 0.0
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    event = json.loads(line)
                    started = time.perf_counter()
                    subscriber(event)
                    longest_call = max(longest_call, time.perf_counter() - started)
                    fed += 1
    stats = subscriber.close(timeout=30)
    stats.update(fed=fed, longest_call_ms=round(longest_call * 1000, 3))
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
