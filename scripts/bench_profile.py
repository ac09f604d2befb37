"""Summarise py-spy's collapsed stacks (bench_pipeline.py --profile DIR): per service, where its active
samples go, by the function they were in (self) and by every function on the stack (inclusive).

    uv run python scripts/bench_profile.py DIR [--top 25] [--match sqlite-]
"""

import argparse
import re
from collections import Counter
from pathlib import Path

# Where a thread waits rather than works: py-spy cannot always tell a waiting thread from a working one.
IDLE = (
    "Condition.wait ",
    "Queue.get ",
    "_PollLikeSelector.select ",
    "EpollSelector.select ",
    "Event.wait ",
    "BaseServer.serve_forever ",
    "_worker (concurrent/futures/thread.py)",
)
LINE = re.compile(r" \(([^)]*?)(?::\d+)?\)$")


def frame_name(frame: str) -> str:
    """'execute (sqlalchemy/engine/base.py:1412)' -> 'execute (sqlalchemy/engine/base.py)'."""
    return LINE.sub(lambda m: f" ({_short(m.group(1))})", frame.strip())


def _short(path: str) -> str:
    for marker in ("site-packages/", "/src/", "lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def summarise(path: Path, top: int) -> None:
    own, inclusive, total = Counter(), Counter(), 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frames = stack.split(";")
        samples = int(count)
        names = [frame_name(f) for f in frames if not f.startswith(("thread ", "process "))]
        if not names or names[-1].startswith(IDLE):
            continue
        total += samples
        if names:
            own[names[-1]] += samples
        for name in set(names):
            inclusive[name] += samples
    print(f"\n== {path.stem}: {total} active samples")
    for title, counts in (("self", own), ("inclusive", inclusive)):
        print(f"  -- {title}")
        for name, samples in counts.most_common(top):
            print(f"  {100 * samples / max(total, 1):5.1f}%  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("directory")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", default="", help="only files whose name contains this")
    args = parser.parse_args()
    for path in sorted(Path(args.directory).glob("*.txt")):
        if args.match in path.name:
            summarise(path, args.top)


if __name__ == "__main__":
    main()
