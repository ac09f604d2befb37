"""Chaos runs longer than the test suite's: a seeded mixed load through the gateway while every service is
SIGKILLed and restarted, the broker restarted and (with --postgres) the database restarted, each run on
its own private RabbitMQ node (and PostgreSQL cluster), never the shared ones. Prints one row of figures
per run and what broke.

    uv run python scripts/chaos.py --runs 10 --operations 300 --seed 1 [--postgres] [--kills 12]
"""

import argparse
import sys
import tempfile
from pathlib import Path

from studio_common.testing.chaos.run import ChaosConfig, figures_table, run_chaos


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=1, help="first run's seed; run n uses seed + n")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--operations", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20.0, help="operations submitted per second")
    parser.add_argument("--burst", type=int, default=0, help="first operations sent at 20/s")
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument(
        "--kills", type=int, default=12, help="SIGKILLs per run (every service at least once)"
    )
    parser.add_argument("--broker-restarts", type=int, default=1)
    parser.add_argument("--db-restarts", type=int, default=1, help="with --postgres")
    parser.add_argument("--postgres", action="store_true", help="gateway, billing and assets on PostgreSQL")
    parser.add_argument(
        "--outage", metavar="SERVICE:SECONDS", help="instead of kills, stop one service a while"
    )
    parser.add_argument("--final-timeout", type=float, default=120.0, help="seconds after quiet to be final")
    parser.add_argument("--keep", type=Path, help="keep service logs under this directory")
    args = parser.parse_args()

    outage = None
    if args.outage:
        service, seconds = args.outage.split(":")
        outage = (service, float(seconds))
    results = []
    for n in range(args.runs):
        config = ChaosConfig(
            seed=args.seed + n,
            operations=args.operations,
            rate=args.rate,
            burst=args.burst,
            users=args.users,
            kills=args.kills,
            broker_restarts=args.broker_restarts,
            db_restarts=args.db_restarts,
            postgres=args.postgres,
            outage=outage,
            final_timeout=args.final_timeout,
        )
        base = args.keep or Path(tempfile.mkdtemp(prefix="chaos-"))
        result = run_chaos(config, base / f"run-{config.seed}")
        results.append(result)
        print(
            f"\nrun {n + 1}/{args.runs} seed {config.seed}: {result.seconds}s {result.phases}, "
            f"logs in {result.data_dir}"
        )
        for failure in result.findings.failures():
            print(f"  FAIL {failure}")
        print(figures_table(results[-1:]), flush=True)
    print("\n" + figures_table(results))
    return 1 if any(r.findings.failures() for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
