"""A real OpenTelemetry client written by others: the OpenTelemetry Python SDK with its
OTLP/HTTP protobuf exporter (gzip on), sending nested, concurrent, partly failing operations
to URL/v1/traces. Prints what the SDK itself produced (read back from an in-memory exporter
fed by the same provider), so the test can compare the listener's counts span for span.

    python otel_python_client.py URL THREADS OPERATIONS_PER_THREAD FAIL_EVERY
"""

import json
import sys
import threading

from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode


def operation(tracer, index, fails):
    """One call, three levels deep like the original's `aexecute`; a failure innermost is
    marked on every level it passes through."""
    with tracer.start_as_current_span("update_gpa", set_status_on_exception=False) as call:
        call.set_attribute("operation", index)
        with tracer.start_as_current_span("input_preparation") as preparation:
            with tracer.start_as_current_span("transactional_execution") as execution:
                execution.add_event("isolated", {"entity": index})
                if fails:
                    execution.set_status(Status(StatusCode.ERROR, "gpa out of range"))
            if fails:
                preparation.set_status(Status(StatusCode.ERROR, "gpa out of range"))
        if fails:
            call.set_status(Status(StatusCode.ERROR, "gpa out of range"))


def main():
    url, threads, per_thread, fail_every = sys.argv[1], *map(int, sys.argv[2:5])
    provider = TracerProvider(resource=Resource.create({"service.name": "lineage-python-client"}))
    exporter = OTLPSpanExporter(endpoint=url + "/v1/traces", compression=Compression.Gzip)
    provider.add_span_processor(BatchSpanProcessor(exporter, max_export_batch_size=64))
    produced = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(produced))
    tracer = provider.get_tracer("lineage.tests.python")

    def worker(t):
        for i in range(per_thread):
            index = t * per_thread + i
            operation(tracer, index, index % fail_every == 0)

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    flushed = provider.force_flush(30_000)
    provider.shutdown()
    spans = produced.get_finished_spans()
    print(json.dumps({
        "flushed": flushed,
        "spans": len(spans),
        "errors": sum(s.status.status_code == StatusCode.ERROR for s in spans),
        "with_parent": sum(s.parent is not None for s in spans),
        "span_events": sum(len(s.events) for s in spans),
        "traces": len({s.context.trace_id for s in spans}),
    }))


if __name__ == "__main__":
    main()
