"""Start the whole Image Studio stack locally on the embedded defaults (SQLite files, a local storage
directory, the local provider) against RabbitMQ on localhost. Ctrl-C stops it, and so does stopping its
process group: every service lives in that group and dies with this process."""

import argparse
import signal
import sys
import time
from pathlib import Path

from studio_common.devstack import DEFAULT_PORTS, PortBusy, Stack, ports_from


def _stop_on_signals() -> None:
    # Ctrl-C and SIGTERM both stop it, even when started in the background (where the shell makes
    # children ignore SIGINT) and even while it is still starting.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))


def _ignore_signals() -> None:
    # Once stopping, a second signal (a process group gets one per process, `uv run` forwards another)
    # must not cut the stop short and leave services running.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _stop(stack: Stack) -> None:
    _ignore_signals()
    stack.stop_all()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default="var", help="where databases, files and logs go (default: var)")
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORTS["gateway"],
        help="the gateway's port (default: 8080); the other services take the six ports after it",
    )
    args = parser.parse_args()
    stack = Stack(data_dir=Path(args.data_dir).resolve(), ports=ports_from(args.port), own_sessions=False)
    _stop_on_signals()
    print(f"starting {', '.join(stack.services)} (logs in {stack.data_dir}/<service>.log) ...", flush=True)
    try:
        stack.start_all()
    except (RuntimeError, TimeoutError, KeyboardInterrupt) as exc:
        _stop(stack)
        hint = "; stop it, or choose other ports with --port" if isinstance(exc, PortBusy) else ""
        print(f"the stack did not start: {exc or 'interrupted'}{hint}", file=sys.stderr)
        return 1
    gateway = stack.url("gateway")
    print(f"\nImage Studio is running: {gateway}  (API docs: {gateway}/docs)")
    print(f"Web studio:    {gateway}/  (development sign-in: any user name)")
    print("Get a token:   uv run studio token --user user-1        (add --admin for grants)")
    print(
        f'Try it:        curl -s -H "Authorization: Bearer $(uv run studio token --user user-1)" '
        f"{gateway}/api/billing/balance"
    )
    print("Ctrl-C stops the stack.", flush=True)
    try:
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(1)
        stopped = [name for name, p in stack.processes.items() if p.poll() is not None]
        print(f"{', '.join(stopped)} stopped; see {stack.log_path(stopped[0])}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(stack)


if __name__ == "__main__":
    sys.exit(main())
