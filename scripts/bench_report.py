"""The benchmark's figures side by side, one column per database (see bench_pipeline.py)."""

import os


def report(args, results: dict[str, dict], broker: dict) -> None:
    names = list(results)
    print(
        f"\nburst: {args.burst} creates by {args.users} users, {args.concurrency} concurrent clients "
        f"(+4 reading statuses); steady: {args.rate:g}/s for {args.steady_seconds:g} s; "
        f"{os.cpu_count()} cores"
    )
    print(f"{'':44}" + "".join(f"{name:>22}" for name in names))

    def row(label: str, cell) -> None:
        print(f"{label:44}" + "".join(f"{cell(results[name]):>22}" for name in names))

    def share(r: dict) -> float:
        return r["burst"]["events_per_s"] / broker["messages_per_second"]

    def ms(values) -> str:
        return "/".join(f"{v:.0f}" for v in values)

    row("burst: operations/s (failed)", lambda r: f"{r['burst']['ops_per_s']:.1f} ({r['burst']['failed']})")
    row("burst: POST p50/p95/p99 ms", lambda r: ms(r["burst"]["post_ms"]))
    row("  from the request written to the answer", lambda r: ms(r["burst"]["post_answer_ms"]))
    row("burst: status read p50/p95/p99 ms", lambda r: ms(r["burst"]["read_ms"]))
    row("  the same at the gateway (bucket edges) POST", lambda r: ms(r["burst"]["post_server_ms"]))
    row("  the same at the gateway (bucket edges) read", lambda r: ms(r["burst"]["read_server_ms"]))
    row("  this client's own event-loop lag p50/p95/p99 ms", lambda r: ms(r["burst"]["client_lag_ms"]))
    row(
        "  gateway's writes: wait for a connection (bucket edges)",
        lambda r: ms(r["burst"]["gateway_wait_ms"]),
    )
    row("CPU ms/operation: services w/o image/model work", lambda r: f"{r['burst']['orchestration_ms']:.1f}")
    row("  image and model work (render, tag, embed)", lambda r: f"{r['burst']['image_ms']:.1f}")
    for service in results[names[0]]["burst"]["cpu_ms"]:
        row(
            f"  {service} (all threads, event loop's)",
            lambda r, s=service: f"{r['burst']['cpu_ms'][s]:.1f} ({r['burst']['loop_ms'][s]:.1f})",
        )
    row("  RabbitMQ", lambda r: f"{r['burst']['rabbitmq_ms']:.1f}")
    row("  PostgreSQL server (all its processes)", lambda r: f"{r['burst']['postgres_ms']:.1f}")
    row("  this client", lambda r: f"{r['burst']['client_ms']:.1f}")
    row("ceiling on these cores (services + servers)", lambda r: f"{ceiling(r['burst']):.0f} ops/s")
    row("events published per operation", lambda r: f"{r['burst']['events_per_op']:.1f}")
    row(
        "event rate / broker limit",
        lambda r: f"{r['burst']['events_per_s']:.0f}/s = {share(r):.1%}",
    )
    row("steady: accept->succeeded p50/p95/p99 ms", lambda r: ms(r["steady"]["latency_ms"]))
    row("steady: succeeded", lambda r: f"{r['steady']['succeeded']}/{r['steady']['count']}")
    row("steady: POST p50/p95/p99 ms", lambda r: ms(r["steady"]["post_ms"]))
    print("steady: each hop p50/p95 ms (published to published)")
    for hop in results[names[0]]["steady"]["hops_ms"]:
        row(f"  {hop}", lambda r, h=hop: ms(r["steady"]["hops_ms"][h]))
    print(
        f"broker limit (same run, raw loop): {broker['messages_per_second']:.0f} persistent confirmed "
        f"messages/s of {broker['mean_bytes']:.0f} bytes, RabbitMQ {broker['broker_cpu_ms_per_message']:.2f} "
        "ms CPU each"
    )


def ceiling(burst: dict) -> float:
    servers = burst["rabbitmq_ms"] + burst["postgres_ms"]
    return os.cpu_count() / ((burst["services_ms"] + servers) / 1000)
