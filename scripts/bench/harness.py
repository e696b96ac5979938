#!/usr/bin/env python3
"""Interleaved timing of whole processes, shared by the scripts in scripts/bench.

Every command runs once per round, in turn (the order alternates from one
round to the next), after warm-up rounds that are not counted, so that load
from elsewhere on the machine falls on all of them alike. For each run the
harness records the wall time (fork to exit), the CPU time of the process and
its children (user + sys, from wait4) and the peak RSS of the largest process
(separately, see below). It prints a Markdown table with the median and the min-max of
every figure, the ratio of each command's median to the first command's, and
the load average before and after.

Peak RSS: a child inherits its parent's high-water mark across fork and
exec (Linux keeps ru_maxrss through exec), so wait4 would report the
harness's own RSS for every small command. It is therefore measured in
separate, untimed runs (`rss_runs` per command, default 1) under GNU
`/usr/bin/time -f %M`, whose own footprint (~1 MiB) is the floor; the
table names it.

As a module: `run(commands, rounds, warmup)` where each command is a
`Command(name, argv, before=None, after=None)`; `before()` runs untimed
before each run (e.g. starting a fresh server), `after(result)` untimed
after it (e.g. checking what landed, stopping the server).

As a program:
    harness.py [--rounds N] [--warmup N] [--cwd DIR] [--json FILE] \
        --cmd NAME 'ARGV...' [--cmd NAME 'ARGV...' ...]
ARGV is split like a shell would (shlex) but run without a shell.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable, Optional


@dataclass
class Command:
    name: str
    argv: list[str]
    before: Optional[Callable[[], None]] = None
    after: Optional[Callable[["Run"], None]] = None
    env: Optional[dict] = None
    cwd: Optional[str] = None
    # Exit codes that count as the command doing its work; any other ends
    # the benchmark (timing a failure that returns early is worthless).
    codes: tuple = (0,)
    runs: list["Run"] = field(default_factory=list)


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + sys seconds, the process and its children
    user: float
    sys: float
    maxrss_kib: int  # wait4's ru_maxrss (includes the harness's own; see above)
    code: int


def check_code(cmd: Command, code: int) -> None:
    if code not in cmd.codes:
        sys.exit(f"bench: `{cmd.name}` exited {code} (expected {' or '.join(map(str, cmd.codes))}): "
                 f"run it by hand to see why: {' '.join(cmd.argv)}")


def time_once(cmd: Command) -> Run:
    if cmd.before:
        cmd.before()
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd.argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=cmd.env,
        cwd=cmd.cwd,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    check_code(cmd, proc.returncode)
    # Grandchildren (a wrapper's children) are in RUSAGE_CHILDREN only once
    # waited for by their parent; wait4's usage covers the process and the
    # children it waited for.
    run = Run(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        user=usage.ru_utime,
        sys=usage.ru_stime,
        maxrss_kib=usage.ru_maxrss,
        code=proc.returncode,
    )
    if cmd.after:
        cmd.after(run)
    return run


TIME = "/usr/bin/time"


def peak_rss_kib(cmd: Command) -> Optional[int]:
    """Peak RSS of one untimed run under GNU time, in KiB."""
    if not os.access(TIME, os.X_OK):
        return None
    if cmd.before:
        cmd.before()
    with tempfile.NamedTemporaryFile("r") as out:
        proc = subprocess.run(
            [TIME, "-o", out.name, "-f", "%M", *cmd.argv],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=cmd.env, cwd=cmd.cwd,
        )
        text = out.read().strip().splitlines()
    check_code(cmd, proc.returncode)
    if cmd.after:
        cmd.after(Run(0, 0, 0, 0, 0, proc.returncode))
    try:
        return int(text[-1])
    except (IndexError, ValueError):
        return None


def run(commands: list[Command], rounds: int, warmup: int, progress=sys.stderr,
        rss_runs: int = 1) -> dict:
    load_before = os.getloadavg()
    for r in range(warmup + rounds):
        order = commands if r % 2 == 0 else list(reversed(commands))
        for cmd in order:
            result = time_once(cmd)
            if result.code != 0:
                raise SystemExit(
                    f"bench: `{cmd.name}` exited with {result.code}: {shlex.join(cmd.argv)}"
                )
            if r >= warmup:
                cmd.runs.append(result)
        if progress:
            label = "warm-up" if r < warmup else f"round {r - warmup + 1}/{rounds}"
            print(f"  {label}: " + ", ".join(
                f"{c.name} {c.runs[-1].wall * 1000:.1f} ms" if c.runs else c.name
                for c in commands), file=progress)
    load_after = os.getloadavg()
    for cmd in commands:
        cmd.rss = [k for k in (peak_rss_kib(cmd) for _ in range(rss_runs)) if k is not None]
    return summary(commands, load_before, load_after)


def summary(commands: list[Command], load_before, load_after) -> dict:
    rows = []
    for cmd in commands:
        walls = [r.wall for r in cmd.runs]
        cpus = [r.cpu for r in cmd.runs]
        rss = getattr(cmd, "rss", None) or [0]
        rows.append({
            "name": cmd.name,
            "argv": cmd.argv,
            "runs": len(walls),
            "wall_median": statistics.median(walls),
            "wall_min": min(walls),
            "wall_max": max(walls),
            "cpu_median": statistics.median(cpus),
            "cpu_min": min(cpus),
            "cpu_max": max(cpus),
            "user_median": statistics.median(r.user for r in cmd.runs),
            "sys_median": statistics.median(r.sys for r in cmd.runs),
            "maxrss_kib_max": max(rss),
            "walls": walls,
        })
    return {"rows": rows, "load_before": load_before, "load_after": load_after,
            "cores": os.cpu_count()}


def fmt_time(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def markdown(result: dict, base: int = 0) -> str:
    rows = result["rows"]
    ref = rows[base]
    out = [
        "| command | runs | wall median | wall min–max | CPU (user+sys) median | peak RSS | wall vs `%s` |" % ref["name"],
        "|:---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        ratio = row["wall_median"] / ref["wall_median"]
        out.append(
            f"| `{row['name']}` | {row['runs']} | {fmt_time(row['wall_median'])} | "
            f"{fmt_time(row['wall_min'])} – {fmt_time(row['wall_max'])} | "
            f"{fmt_time(row['cpu_median'])} | {row['maxrss_kib_max'] / 1024:.1f} MiB | "
            f"{ratio:.2f}× |"
        )
    lb, la = result["load_before"], result["load_after"]
    out.append("")
    if os.access(TIME, os.X_OK):
        floor = peak_rss_kib(Command("true", ["/bin/true"]))
        out.append(f"Peak RSS from separate untimed runs under `{TIME} -f %M` (its floor, `/bin/true`: {floor / 1024:.1f} MiB).")
    out.append(
        f"Load average (1/5/15 min) before: {lb[0]:.2f} {lb[1]:.2f} {lb[2]:.2f}; "
        f"after: {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}; {result['cores']} cores."
    )
    return "\n".join(out)


def ratio_line(result: dict, fast: int, slow: int) -> str:
    """`slow` against `fast`: the ratio of the medians, then round by round
    (each round ran both, one right after the other, in alternating order)
    the median and the min–max of the pairs' ratios, the best against the
    best, and the CPU. Two decimals: a target such as 1.1× is read off it."""
    rows = result["rows"]
    f, s = rows[fast], rows[slow]
    pairs = sorted(sw / fw for sw, fw in zip(s["walls"], f["walls"]))
    return (
        f"Ratio `{s['name']}` / `{f['name']}`: {s['wall_median'] / f['wall_median']:.2f}× "
        f"(median wall; the {len(pairs)} interleaved pairs: median "
        f"{statistics.median(pairs):.2f}×, min–max {pairs[0]:.2f}×–{pairs[-1]:.2f}×; "
        f"best against best {s['wall_min'] / f['wall_min']:.2f}×; "
        f"CPU {s['cpu_median'] / max(f['cpu_median'], 1e-9):.2f}×)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--cwd")
    parser.add_argument("--json")
    parser.add_argument("--rss-runs", type=int, default=1)
    parser.add_argument("--cmd", nargs=2, action="append", metavar=("NAME", "ARGV"),
                        required=True)
    args = parser.parse_args()
    if args.rounds < 7:
        parser.error("--rounds must be at least 7")
    commands = [Command(name, shlex.split(argv), cwd=args.cwd) for name, argv in args.cmd]
    result = run(commands, args.rounds, args.warmup, rss_runs=args.rss_runs)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    print(markdown(result))
    if len(commands) == 2:
        print()
        print(ratio_line(result, 0, len(commands) - 1))


if __name__ == "__main__":
    main()
