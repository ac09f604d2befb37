"""Figures the services export on /metrics, read by the benchmark (bench_pipeline.py): counters summed
over services, per-route server times, handler and provider times, loop lag, image and model work."""

import httpx

from studio_common.devstack import Stack


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def metric_lines(stack: Stack, service: str) -> list[str]:
    return httpx.get(stack.metrics_url(service)).text.splitlines()


def route_buckets(stack: Stack, method: str, route: str) -> dict[float, float]:
    """Cumulative bucket counts of the gateway's answer times for one route (all statuses)."""
    return histogram_buckets(stack, "gateway", "studio_http_request_seconds", method=method, route=route)


def histogram_buckets(stack: Stack, service: str, metric: str, **labels: str) -> dict[float, float]:
    """Cumulative bucket counts of one service's histogram, summed over the series with these labels."""
    buckets: dict[float, float] = {}
    wanted = [f'{name}="{value}"' for name, value in labels.items()]
    for line in metric_lines(stack, service):
        if line.startswith(f"{metric}_bucket{{") and all(label in line for label in wanted):
            bound = line.split('le="')[1].split('"')[0]
            upper = float("inf") if bound == "+Inf" else float(bound)
            buckets[upper] = buckets.get(upper, 0.0) + float(line.rsplit(" ", 1)[1])
    return buckets


def server_percentiles(before: dict[float, float], after: dict[float, float]) -> list[float]:
    """p50/p95/p99 in ms of the answers between two snapshots, from histogram buckets (an upper bound:
    the bucket's edge), or [] when none were answered."""
    counts = sorted((upper, after[upper] - before.get(upper, 0.0)) for upper in after)
    total = counts[-1][1] if counts else 0.0
    if not total:
        return []
    return [1000 * next(upper for upper, seen in counts if seen >= p / 100 * total) for p in (50, 95, 99)]


def counter_total(stack: Stack, name: str) -> float:
    """The sum over every service and label of a Prometheus counter, read from their /metrics."""
    total = 0.0
    for service in stack.services:
        for line in metric_lines(stack, service):
            if line.startswith(name + "{"):
                total += float(line.rsplit(" ", 1)[1])
    return total


def published_events(stack: Stack) -> float:
    return counter_total(stack, "studio_events_published_total")


def model_cpu_seconds(stack: Stack) -> float:
    """CPU the services spent rendering, tagging and embedding (studio_common.metrics.model_work)."""
    return counter_total(stack, "studio_model_cpu_seconds_total")


def handler_summary(stack: Stack) -> None:
    """Mean time per handled event, provider call and HTTP request (by route), per service, from each
    service's /metrics."""
    print("handler time per event, provider time per call, server time per request (mean ms, count):")
    for service in stack.services:
        lines = metric_lines(stack, service)
        timed = (
            ("studio_handler_seconds", "type"),
            ("studio_provider_seconds", "kind"),
            ("studio_http_request_seconds", "route"),
        )
        for histogram, label in timed:
            sums, counts = {}, {}
            for line in lines:
                if line.startswith(histogram + "_sum{"):
                    labels, value = line[len(histogram + "_sum") :].rsplit(" ", 1)
                    sums[labels] = float(value)
                elif line.startswith(histogram + "_count{"):
                    labels, value = line[len(histogram + "_count") :].rsplit(" ", 1)
                    counts[labels] = float(value)
            for labels, total in sorted(sums.items()):
                if counts.get(labels):
                    name = labels.split(f'{label}="')[1].split('"')[0]
                    if 'status="' in labels:
                        name += " " + labels.split('status="')[1].split('"')[0]
                    print(
                        f"  {service:10} {name:28} {1000 * total / counts[labels]:7.2f} ms"
                        f"  x{int(counts[labels])}"
                    )


def retry_summary(stack: Stack) -> None:
    """Events that did not go through on their first delivery: retried later, dead-lettered, or handled
    with an outcome other than ok (counts per service and event type)."""
    print("events not handled at the first try (count):")
    watched = (
        "studio_event_retries_total{",
        "studio_events_dead_lettered_total{",
        "studio_events_handled_total{",
    )
    for service in stack.services:
        for line in metric_lines(stack, service):
            if line.startswith(watched) and 'outcome="ok"' not in line:
                labels, value = line.rsplit(" ", 1)
                if float(value):
                    print(f"  {service:10} {labels:70} {int(float(value))}")


def model_work_summary(stack: Stack) -> None:
    """CPU seconds of image and model work per service and kind of work (metrics.model_work)."""
    print("image and model work (CPU s in all):")
    for service in stack.services:
        for line in metric_lines(stack, service):
            if line.startswith("studio_model_cpu_seconds_total{"):
                work = line.split('work="')[1].split('"')[0]
                print(f"  {service:10} {work:28} {float(line.rsplit(' ', 1)[1]):8.2f} s")


def loop_lag_summary(stack: Stack) -> None:
    """Mean event-loop lag per service over the whole run, and how often the loop was 50 ms late or more."""
    print("event loop lag (mean ms, share of samples >= 50 ms late):")
    for service in stack.services:
        values = {}
        for line in metric_lines(stack, service):
            if line.startswith("studio_event_loop_lag_seconds_"):
                name, value = line.rsplit(" ", 1)
                values[name] = float(value)
        count = values.get("studio_event_loop_lag_seconds_count", 0.0)
        if count:
            under = values.get('studio_event_loop_lag_seconds_bucket{le="0.05"}', count)
            mean = 1000 * values["studio_event_loop_lag_seconds_sum"] / count
            print(f"  {service:10} {mean:7.2f} ms  {(count - under) / count:6.1%}")
