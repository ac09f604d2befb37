"""Start the whole Image Studio stack locally on the embedded defaults (SQLite files, a local storage
directory, the local provider) against RabbitMQ on localhost. Ctrl-C stops it."""

import argparse
import signal
import sys
import time
from pathlib import Path

from studio_common.devstack import Stack


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default="var", help="where databases, files and logs go (default: var)")
    args = parser.parse_args()
    stack = Stack(data_dir=Path(args.data_dir).resolve())
    # Ctrl-C and SIGTERM both stop it, even when started in the background (where the shell makes
    # children ignore SIGINT) and even while it is still starting.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    print(f"starting {', '.join(stack.services)} (logs in {stack.data_dir}/<service>.log) ...", flush=True)
    try:
        stack.start_all()
    except (RuntimeError, TimeoutError, KeyboardInterrupt) as exc:
        stack.stop_all()
        print(f"the stack did not start: {exc or 'interrupted'}", file=sys.stderr)
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
        print("a service stopped; see its log", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
