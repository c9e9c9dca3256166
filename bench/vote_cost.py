"""One vote's cost counted instead of timed: instructions and simulated cache misses per vote.

Timings on this machine drift by ±20 % within minutes (bench/README.md, "History"), which hides
any change of a few per cent; valgrind's cachegrind counts the same from one run to the next.
This runs bench/profile_answer.py (the real ``RoomService`` on SQLite, 100 rooms of 20 players,
anonymous sessions) under cachegrind with A and then B answers and divides the difference by
B − A, so setting the rooms up is not counted. The last-level cache is simulated at 2 MiB
(``--ll-mib``): 100 rooms' data does not stay in it from one vote of a room to the next, as
live, where a vote's cost is mostly its cache misses (bench/README.md, "Cold caches, not
bytecodes"). It does not count the WebSocket reading and parsing, nor the kernel's part.

``est. cycles`` = instructions + 10 × first-level misses + 100 × last-level misses: a rough
weighting, to compare two versions of the code, not a prediction of time.

    .venv/bin/python bench/vote_cost.py                    # this tree
    .venv/bin/python bench/vote_cost.py --against HEAD~3   # and another revision, side by side

Needs valgrind (``apt install valgrind``); takes about 3 minutes (both trees run at once).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNTS = {
    "Ir": r"I\s+refs",
    "I1 misses": r"I1\s+misses",
    "D1 misses": r"D1\s+misses",
    "LLi misses": r"LLi\s+misses",
    "LLd misses": r"LLd\s+misses",
}


def counts(tree: Path, answers: int, args: argparse.Namespace) -> dict[str, int]:
    """cachegrind's totals for one run of profile_answer.py in ``tree``."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=yes",
            f"--LL={args.ll_mib * 1024 * 1024},16,64",
            f"--cachegrind-out-file={tmp}/out",
            sys.executable,
            str(tree / "bench" / "profile_answer.py"),
            "--rooms",
            str(args.rooms),
            "--players",
            str(args.players),
            "--answers",
            str(answers),
            *(["--named"] if args.named else []),
        ]
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"profile_answer.py failed under valgrind in {tree}:\n{done.stderr[-2000:]}")
    found: dict[str, int] = {}
    for name, label in COUNTS.items():
        match = re.search(label + r":\s+([\d,]+)", done.stderr)
        if match is None:
            sys.exit(f"no '{name}' in valgrind's output:\n{done.stderr[-2000:]}")
        found[name] = int(match.group(1).replace(",", ""))
    return found


def per_vote(tree: Path, args: argparse.Namespace) -> dict[str, float]:
    small, big = counts(tree, args.first, args), counts(tree, args.second, args)
    votes = args.second - args.first
    out = {name: (big[name] - small[name]) / votes for name in COUNTS}
    l1 = out["I1 misses"] + out["D1 misses"]
    out["est. cycles"] = out["Ir"] + 10 * l1 + 100 * (out["LLi misses"] + out["LLd misses"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--against", metavar="REV", help="also count this git revision, and compare")
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--players", type=int, default=20)
    parser.add_argument("--first", type=int, default=300, help="answers of the first run (A)")
    parser.add_argument("--second", type=int, default=900, help="answers of the second run (B)")
    parser.add_argument("--ll-mib", type=int, default=2, help="simulated last-level cache, MiB")
    parser.add_argument("--named", action="store_true", help="sessions that are not anonymous")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt install valgrind)")
    trees = {"this tree": ROOT}
    other = None
    if args.against:
        other = Path(tempfile.mkdtemp(prefix="vote-cost-"))
        add = ["git", "worktree", "add", "--detach", "-q", str(other), args.against]
        subprocess.run(add, cwd=ROOT, check=True)
        trees = {args.against: other, "this tree": ROOT}
    try:
        with ThreadPoolExecutor(max_workers=len(trees)) as pool:
            figures = dict(zip(trees, pool.map(lambda t: per_vote(t, args), trees.values()), strict=True))
    finally:
        if other is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, check=False)
    print(
        f"per vote, {args.rooms} rooms x {args.players} players, "
        f"{'named' if args.named else 'anonymous'}, LL {args.ll_mib} MiB "
        f"(runs of {args.first} and {args.second} answers)"
    )
    names = [*COUNTS, "est. cycles"]
    print(f"{'':<12}" + "".join(f"{n:>14}" for n in names))
    for label, row in figures.items():
        print(f"{label[:12]:<12}" + "".join(f"{row[n]:>14,.0f}" for n in names))
    if len(figures) == 2:
        base, new = figures.values()
        print(f"{'ratio':<12}" + "".join(f"{new[n] / base[n] if base[n] else 0:>14.3f}" for n in names))


if __name__ == "__main__":
    main()
