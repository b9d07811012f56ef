"""Times the Python original's event bus in the shape `lineage bench` times ours.

The Python original is the event bus of furlat/Abstractions (`abstractions/events/events.py`).
Its code is not in this repository (it carries no license): this harness imports it from a
checkout given on the command line, so the figure is always the original's own code.

One operation is three nested `@emit_events` async functions with no work inside: six events
(a start and an end per level), zero subscribers, the events drained by the bus's own
background processor. A repetition times OPERATIONS operations on the caller plus the drain
of everything they queued, so it counts what `lineage bench`'s awaited row counts: the
caller's cost and the background processing. Each repetition starts a fresh bus: the
original never prunes `_events_by_id` / `_children_by_parent` (a quirk, ANCHORS.md), and
letting them grow across repetitions would time dictionary growth rather than emission.

Prints one JSON object on stdout: the per-repetition figures (µs per operation) of the
events row and of the baseline (the same nested awaits without the decorator), their
medians (also the process's CPU time per operation of the events row: on a shared machine
wall time counts other programs' turns too), and the versions used. Standard library plus pydantic (the original's own
dependency); nothing else.

    python3 scripts/python_original_bench.py PATH_TO_ABSTRACTIONS [--operations N] [--repetitions R]
"""

import argparse
import asyncio
import json
import platform
import statistics
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("checkout", help="a checkout of furlat/Abstractions (the folder holding `abstractions/`)")
    p.add_argument("--operations", type=int, default=2000, help="operations per repetition")
    p.add_argument("--repetitions", type=int, default=25, help="timed repetitions")
    p.add_argument("--warmup", type=int, default=2, help="untimed repetitions first")
    return p.parse_args()


def load_original(checkout):
    """Imports the original's events module from the checkout, and nothing from elsewhere."""
    sys.path.insert(0, checkout)
    from abstractions.events import events  # noqa: E402  (the path is only known now)

    if not events.__file__.startswith(checkout.rstrip("/")):
        sys.exit(f"python_original_bench: imported {events.__file__}, not from {checkout}")
    return events


def nested_operation(events):
    """Three nested `@emit_events` async functions, six generic events (start and end)."""

    def level(name, inner):
        @events.emit_events(
            creating_factory=lambda *a, **k: events.Event(type=f"{name}.start", phase=events.EventPhase.STARTED),
            created_factory=lambda result, *a, **k: events.Event(type=f"{name}.end", phase=events.EventPhase.COMPLETED),
        )
        async def run():
            if inner is not None:
                return await inner()
            return None

        return run

    return level("outer", level("middle", level("inner", None)))


def bare_operation():
    """The same three nested awaits without the decorator: the baseline."""

    async def inner():
        return None

    async def middle():
        return await inner()

    async def outer():
        return await middle()

    return outer


async def drain(bus):
    """Lets the background processor take everything queued. It never suspends while the
    queue holds events (no subscriber awaits anything), so one yield drains the queue and a
    second lets it finish the last event and wait on the empty queue again."""
    while not bus._event_queue.empty():
        await asyncio.sleep(0)
    await asyncio.sleep(0)


async def time_events(events, operation, operations):
    events._event_bus = None  # a fresh bus per repetition (see the module's doc)
    bus = events.get_event_bus()  # started by the original itself, as its users get it
    await asyncio.sleep(0)
    if bus._processor_task is None:
        sys.exit("python_original_bench: the original's bus did not start its processor")
    started = time.perf_counter_ns()
    cpu_started = time.process_time_ns()
    for _ in range(operations):
        await operation()
    await drain(bus)
    elapsed = time.perf_counter_ns() - started
    cpu = time.process_time_ns() - cpu_started
    processed = sum(bus._event_counts.values())
    await bus.stop()
    if processed != 6 * operations:
        sys.exit(f"python_original_bench: {processed} events processed, expected {6 * operations}")
    return elapsed / operations / 1_000.0, cpu / operations / 1_000.0


async def time_bare(operation, operations):
    started = time.perf_counter_ns()
    for _ in range(operations):
        await operation()
    return (time.perf_counter_ns() - started) / operations / 1_000.0


async def measure(args, events):
    operation = nested_operation(events)
    bare = bare_operation()
    for _ in range(args.warmup):
        await time_events(events, operation, args.operations)
    events_us, events_cpu_us, bare_us = [], [], []
    for _ in range(args.repetitions):
        wall, cpu = await time_events(events, operation, args.operations)
        events_us.append(wall)
        events_cpu_us.append(cpu)
        bare_us.append(await time_bare(bare, args.operations))
    leftover = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    if leftover:
        sys.exit(f"python_original_bench: tasks left running: {leftover}")
    return events_us, events_cpu_us, bare_us


def main():
    args = parse_args()
    # Imported before the loop runs: the original's modules call `get_event_bus()` on import,
    # which inside a running loop would start a processor for a bus nobody uses.
    events = load_original(args.checkout)
    events_us, events_cpu_us, bare_us = asyncio.run(measure(args, events))
    import pydantic

    print(
        json.dumps(
            {
                "python": platform.python_version(),
                "pydantic": pydantic.VERSION,
                "operations": args.operations,
                "repetitions": args.repetitions,
                "events_us_per_op": events_us,
                "events_us_per_op_median": statistics.median(events_us),
                "events_cpu_us_per_op": events_cpu_us,
                "events_cpu_us_per_op_median": statistics.median(events_cpu_us),
                "bare_us_per_op": bare_us,
                "bare_us_per_op_median": statistics.median(bare_us),
            }
        )
    )


if __name__ == "__main__":
    main()
