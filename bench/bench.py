#!/usr/bin/env python3
"""Benchmark healthlint the way users run it: whole processes, wall time and memory.

usage: python bench/bench.py CORPUS_DIR [--big FILE] [--small FILE] [--runs 5] [--big-runs N]
                             [--jobs N] [--timeout SECS] [--startup-runs 10] [--startup-only]
                             [--peers] [--peer-runs 1]

Sections (each command's output goes to /dev/null; exit code 1, "findings", is normal):

  corpus    ``healthlint check --output-format json -q --no-cache CORPUS_DIR`` (``--no-cache``
            where the measured healthlint has it: every timed run lints every file)
  big file  the same on ``--big FILE`` and on its 5, 10, 25 and 50 MB prefixes, cut at
            line boundaries, to show whether time and memory grow linearly with size
  start-up  ``healthlint check`` on one small file (``--small``; default: the corpus's
            ``md/00/doc-00001.md``, about 9 KB) over 10 rounds (``--startup-runs``), run in
            turn with the floors of any Python tool: ``python -c "import pluggy, yaml,
            regex"`` and ``python -c pass``; ``--startup-only`` measures this alone
  peers     with ``--peers``: ``../shared/bench/run_peers.sh`` on the same inputs, then
            the ratios healthlint/peer

Every figure is the median over ``--runs`` runs after one warm-up, with (min-max).
Wall time is measured around the process, CPU time comes from ``os.wait4`` and peak
RSS from GNU time's ``%M`` (``/usr/bin/time``; without it, from ``os.wait4``, whose
figure then includes this script's own peak as a floor), so they compare with
``run_peers.sh``. That RSS is the largest single process, which understates a run
with worker processes. The tree column adds up the proportional set size (PSS)
of the process and all its workers, sampled from /proc every 20 ms during the
warm-up run (Linux only); PSS shares copy-on-write pages between the processes
instead of counting them once per process.

A run that exceeds ``--timeout`` is killed; the big-file series then stops, since
larger prefixes would only take longer. Generate the inputs outside the
repository with ``../shared/bench/make_corpus.py`` (see bench/README.md).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PEERS_DIR = REPO.parent / "shared" / "bench"
PREFIX_MB = (5, 10, 25, 50)
STARTUP_RUNS = 10
SUFFIXES = (".md", ".markdown", ".html", ".htm", ".txt")
"""What counts as input bytes: the same suffixes as run_peers.sh, so MB/s compare."""
SAMPLE_SECONDS = 0.02
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").is_file() else None
MB = 1_000_000


# Measuring -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    rss_mib: float
    """Peak RSS of the largest single process (``ru_maxrss``, as GNU time's ``%M``)."""
    exit: int


@dataclass
class Result:
    """The runs of one command on one input."""

    label: str
    command: list[str]
    nbytes: int = 0
    nfiles: int = 0
    runs: list[Run] = field(default_factory=list)
    tree_mib: float | None = None
    """Peak summed PSS of the process tree during the warm-up run."""
    timed_out: bool = False

    @classmethod
    def on(cls, label: str, command: list[str], path: Path | None = None) -> Result:
        """A result for ``command`` run on ``path``, whose size is the input size."""
        if path is None:
            return cls(label, command)
        nfiles, nbytes = input_size(path)
        return cls(label, command, nbytes=nbytes, nfiles=nfiles)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def rss_mib(self) -> float:
        return max(r.rss_mib for r in self.runs)

    @property
    def mb_per_s(self) -> float:
        return self.nbytes / MB / self.wall


def _process_parents() -> dict[int, int]:
    """``{pid: parent pid}`` for every process in /proc."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                    # The command name, in parentheses, may hold spaces: split after it.
                    parents[int(entry.name)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return parents


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree_pss_kib(root: int) -> int:
    parents = _process_parents()
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        tree.update(children)
        frontier.extend(children)
    return sum(_pss_kib(pid) for pid in tree)


class TreeMemory(threading.Thread):
    """Samples the summed PSS of a process and its descendants until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kib = 0
        self._done = threading.Event()

    def run(self) -> None:
        while True:
            self.peak_kib = max(self.peak_kib, _tree_pss_kib(self.pid))
            if self._done.wait(SAMPLE_SECONDS):
                return

    def stop(self) -> float | None:
        self._done.set()
        self.join()
        return self.peak_kib / 1024 if self.peak_kib else None


def _timed(command: Sequence[str], stats: str) -> list[str]:
    """``command`` under GNU time when there is one, so the peak RSS is the command's own.

    The kernel carries a process's peak RSS across ``exec``, so a child forked straight
    from this script would report at least this script's own peak (the big-file section
    reads a 50 MB file). GNU time is small: forking from it costs nothing measurable.
    """
    return [GNU_TIME, "-f", "%M", "-o", stats, *command] if GNU_TIME else list(command)


def run_once(command: Sequence[str], timeout: float, *,
             sample_tree: bool = False) -> tuple[Run | None, float | None]:
    """Run ``command`` once; ``(None, ...)`` when it was killed after ``timeout`` seconds."""
    with tempfile.TemporaryFile() as stderr, tempfile.NamedTemporaryFile("r") as stats:
        start = time.perf_counter()
        process = subprocess.Popen(_timed(command, stats.name), stdout=subprocess.DEVNULL,
                                   stderr=stderr, start_new_session=True)
        sampler = TreeMemory(process.pid) if sample_tree and Path("/proc").is_dir() else None
        if sampler:
            sampler.start()
        killer = threading.Timer(timeout, os.killpg, (process.pid, signal.SIGKILL))
        killer.start()
        # wait4, not Popen.wait: it returns this child's own resource usage.
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        killer.cancel()
        process.returncode = exit_code = os.waitstatus_to_exitcode(status)
        tree = sampler.stop() if sampler else None
        if exit_code == -signal.SIGKILL:
            return None, tree
        if exit_code not in (0, 1):
            stderr.seek(0)
            tail = stderr.read().decode("utf-8", "replace").strip().splitlines()[-3:]
            print(f"  note: exit {exit_code}" + (": " + " / ".join(tail) if tail else ""),
                  file=sys.stderr)
        # GNU time puts "Command exited with non-zero status N" before the figure.
        rss_kib = int(stats.read().split()[-1]) if GNU_TIME else usage.ru_maxrss
    return Run(wall, usage.ru_utime + usage.ru_stime, rss_kib / 1024, exit_code), tree


def measure(result: Result, runs: int, timeout: float) -> Result:
    """One warm-up run (which also samples the tree's memory), then ``runs`` timed runs."""
    measure_in_turn([result], runs, timeout)
    return result


def measure_in_turn(results: Sequence[Result], runs: int, timeout: float) -> None:
    """:func:`measure` for several commands, run in turn: a warm-up of each, then ``runs``
    rounds of one run of each. On a machine whose speed drifts (a shared virtual machine),
    the commands then meet the same conditions, and their ratio holds better than their
    times. A command that runs past ``timeout`` is not run again."""
    for result in results:
        print(f"  {result.label}: {shlex.join(result.command)}", file=sys.stderr, flush=True)
        warm_up, result.tree_mib = run_once(result.command, timeout, sample_tree=True)
        result.timed_out = warm_up is None
    for _ in range(runs):
        for result in results:
            if result.timed_out:
                continue
            run, _ = run_once(result.command, timeout)
            if run is None:
                result.timed_out = True
            else:
                result.runs.append(run)
    # Long series are read while they run: say what each input gave as soon as it is done.
    for result in results:
        outcome = ("killed after --timeout" if result.timed_out else
                   f"median {result.wall:.3g} s, largest process {result.rss_mib:.0f} MiB")
        print(f"    {result.label} -> {outcome}", file=sys.stderr, flush=True)


# Inputs --------------------------------------------------------------------------------


def input_size(path: Path) -> tuple[int, int]:
    """``(files, bytes)`` of the files with a linted suffix under ``path`` (or ``path`` itself)."""
    if path.is_file():
        return 1, path.stat().st_size
    sizes = [p.stat().st_size for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file()]
    return len(sizes), sum(sizes)


def write_prefixes(big: Path, folder: Path) -> list[Path]:
    """The first 5, 10, 25 and 50 MB of ``big``, each cut back to the last line break
    (never inside a line or a UTF-8 sequence), and ``big`` itself, smallest first."""
    data = big.read_bytes()
    prefixes: list[Path] = []
    for size in PREFIX_MB:
        if size * MB >= len(data):
            break
        path = folder / f"{big.stem}-{size}mb{big.suffix}"
        path.write_bytes(data[: data.rfind(b"\n", 0, size * MB) + 1])
        prefixes.append(path)
    return [*prefixes, big]


# Reporting -----------------------------------------------------------------------------


def spread(values: Sequence[float], digits: int = 3) -> str:
    if not values:
        return "-"
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:.{digits}g}"
    return f"{median:.{digits}g} ({min(values):.{digits}g}-{max(values):.{digits}g})"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|",
                      *(line(row) for row in rows)])


def _timeout_row(result: Result, width: int) -> list[str]:
    return [result.label, "killed after --timeout", *["-"] * (width - 2)]


def throughput_table(results: Sequence[Result]) -> str:
    header = ["input", "wall s med (min-max)", "CPU s", "MB/s", "files/s",
              "RSS MiB largest proc", "tree PSS MiB", "exit"]
    rows = []
    for r in results:
        if r.timed_out:
            rows.append(_timeout_row(r, len(header)))
            continue
        rows.append([
            f"{r.label}: {r.nfiles} files, {r.nbytes / MB:.1f} MB",
            spread([x.wall for x in r.runs]),
            spread([x.cpu for x in r.runs]),
            f"{r.mb_per_s:.3g}",
            f"{r.nfiles / r.wall:.3g}",
            f"{r.rss_mib:.0f}",
            f"{r.tree_mib:.0f}" if r.tree_mib else "-",
            "/".join(str(e) for e in sorted({x.exit for x in r.runs})),
        ])
    return table(header, rows)


def linearity_table(results: Sequence[Result]) -> str:
    header = ["size MB", "wall s med (min-max)", "s per MB", "RSS MiB", "RSS MiB per MB",
              "tree PSS MiB", "exit"]
    rows = []
    for r in results:
        if r.timed_out:
            rows.append(_timeout_row(r, len(header)))
            continue
        size = r.nbytes / MB
        rows.append([f"{size:.1f}", spread([x.wall for x in r.runs]), f"{r.wall / size:.3g}",
                     f"{r.rss_mib:.0f}", f"{r.rss_mib / size:.3g}",
                     f"{r.tree_mib:.0f}" if r.tree_mib else "-",
                     "/".join(str(e) for e in sorted({x.exit for x in r.runs}))])
    return table(header, rows)


def startup_table(results: Sequence[Result]) -> str:
    header = ["command", "wall s med (min-max)", "CPU s", "RSS MiB"]
    rows = [[shlex.join([Path(r.command[0]).name, *r.command[1:]]),
             spread([x.wall for x in r.runs]), spread([x.cpu for x in r.runs]),
             f"{r.rss_mib:.1f}"] for r in results if not r.timed_out]
    return table(header, rows)


# Peers ---------------------------------------------------------------------------------


def peers_missing(peers_dir: Path) -> list[str]:
    needed = {
        "proselint": peers_dir / ".venv" / "bin" / "proselint",
        "textlint": peers_dir / "node_modules" / ".bin" / "textlint",
        "GNU time": Path("/usr/bin/time"),
    }
    return [name for name, path in needed.items() if not path.exists()]


def run_peers(peers_dir: Path, target: Path, tools: str, runs: int, warmup: int,
              timeout: float) -> dict[str, float]:
    """Run ``run_peers.sh``, echo its table, and return each tool's median wall seconds."""
    command = [str(peers_dir / "run_peers.sh"), "-r", str(runs), "-w", str(warmup),
               "-t", tools, "-T", str(int(timeout)), str(target)]
    print(f"  peers: {shlex.join(command)}", file=sys.stderr, flush=True)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    print(output)
    walls: dict[str, float] = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0] in tools.split(",") and cells[2] != "-":
            walls[cells[0]] = float(cells[2].split()[0])
    return walls


def ratio_rows(what: str, ours: Result, peers: dict[str, float], *, lower_is_better: bool
               ) -> list[list[str]]:
    if ours.timed_out:
        return []
    rows = []
    for tool, wall in peers.items():
        if lower_is_better:
            rows.append([what, tool, f"{ours.wall:.3g} s / {wall:.3g} s",
                         f"{ours.wall / wall:.2f}"])
        else:
            ours_rate, peer_rate = ours.mb_per_s, ours.nbytes / MB / wall
            rows.append([what, tool, f"{ours_rate:.3g} / {peer_rate:.3g} MB/s",
                         f"{ours_rate / peer_rate:.2f}"])
    return rows


# Main ----------------------------------------------------------------------------------


def healthlint_command() -> list[str]:
    """The ``healthlint`` console script of this interpreter, else ``python -m healthlint``."""
    script = Path(sys.executable).with_name("healthlint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "healthlint"]


def supports_no_cache(healthlint: list[str]) -> bool:
    """Whether this healthlint has a result cache to switch off (``check --no-cache``)."""
    help_text = subprocess.run([*healthlint, "check", "--help"], capture_output=True, text=True,
                               check=False).stdout
    return "--no-cache" in help_text


def describe_build(healthlint: list[str]) -> str:
    """healthlint's version and where it runs from: the checkout's commit (and whether it
    has uncommitted changes) when it is imported from this checkout, else its location."""
    version = subprocess.run([*healthlint, "--version"], capture_output=True, text=True,
                             check=False).stdout.strip()
    where = subprocess.run([sys.executable, "-c", "import healthlint; print(healthlint.__file__)"],
                           capture_output=True, text=True, check=False).stdout.strip()
    origin = f"from {Path(where).parent}"
    if Path(where).resolve().is_relative_to(REPO) and shutil.which("git"):
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=False).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True, text=True,
                               check=False).stdout.strip()
        origin = f"from this checkout at {head}{' + uncommitted changes' if dirty else ''}"
    load = f"; load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
    return (f"{version} {origin}; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs{load}; "
            f"{time.strftime('%Y-%m-%d')}")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("corpus", type=Path, metavar="CORPUS_DIR")
    parser.add_argument("--big", type=Path, metavar="FILE", help="one large file (e.g. 50 MB)")
    parser.add_argument("--small", type=Path, metavar="FILE",
                        help="the start-up file (default: CORPUS_DIR/md/00/doc-00001.md)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per input (default 5)")
    parser.add_argument("--big-runs", type=int, metavar="N",
                        help="timed runs per big-file size (default: --runs)")
    parser.add_argument("--jobs", type=int, metavar="N",
                        help="pass --jobs N to healthlint (default: its own default)")
    parser.add_argument("--timeout", type=float, default=900, metavar="SECS",
                        help="kill a run after SECS seconds (default 900)")
    parser.add_argument("--peers", action="store_true",
                        help="also time the peers with ../shared/bench/run_peers.sh")
    parser.add_argument("--peers-dir", type=Path, default=PEERS_DIR, metavar="DIR",
                        help="where run_peers.sh and the installed peers are (default: "
                             "../shared/bench; a writable copy if that one is read-only)")
    parser.add_argument("--startup-runs", type=int, default=STARTUP_RUNS, metavar="N",
                        help=f"start-up rounds, the commands run in turn (default {STARTUP_RUNS})")
    parser.add_argument("--startup-only", action="store_true",
                        help="measure start-up only (with --peers, the peers' start-up too)")
    parser.add_argument("--peer-runs", type=int, default=1, metavar="N",
                        help="timed runs per peer on the corpus and big file (default 1, no "
                             "warm-up: textlint takes minutes); start-up always uses 5")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        parser.error(f"not a directory: {args.corpus}")
    args.small = args.small or args.corpus / "md" / "00" / "doc-00001.md"
    for name in ("small", "big"):
        path = getattr(args, name)
        if path is not None and not path.is_file():
            parser.error(f"--{name}: no such file: {path}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.peers and (missing := peers_missing(args.peers_dir)):
        print(f"bench: the peers are not set up ({', '.join(missing)} missing). Run:\n"
              f"    {args.peers_dir / 'setup.sh'}\n"
              "(it needs npm and PyPI access; add --apt for ripgrep and hyperfine)",
              file=sys.stderr)
        return 2
    healthlint = healthlint_command()
    # Every run lints: with the result cache, the runs after the warm-up would only read it
    # back (bench/warm.py measures that). Compiled rule data stays cached, as for any user.
    no_cache = ["--no-cache"] if supports_no_cache(healthlint) else []
    check = [*healthlint, "check", "--output-format", "json", "-q", *no_cache]
    if args.jobs:
        check += ["--jobs", str(args.jobs)]
    print(f"# {describe_build(healthlint)}\n", flush=True)

    corpus = Result.on("corpus", [*check, str(args.corpus)], args.corpus)
    if not args.startup_only:
        measure(corpus, args.runs, args.timeout)
        print(f"## Corpus ({args.runs} runs after 1 warm-up)\n\n" + throughput_table([corpus])
              + "\n", flush=True)

    big: list[Result] = []
    if args.big and not args.startup_only:
        with tempfile.TemporaryDirectory(prefix="healthlint-bench-") as folder:
            for path in write_prefixes(args.big, Path(folder)):
                label = "big" if path == args.big else path.stem.rsplit("-", 1)[1]
                result = measure(Result.on(label, [*check, str(path)], path),
                                 args.big_runs or args.runs, args.timeout)
                big.append(result)
                if result.timed_out:
                    break
        print(f"## Big file: time and memory against size ({args.big_runs or args.runs} runs "
              "after 1 warm-up)\n\n" + linearity_table(big) + "\n", flush=True)

    python = sys.executable
    startup = [
        Result.on("healthlint", [*healthlint, "check", *no_cache, str(args.small)], args.small),
        Result.on("imports", [python, "-c", "import pluggy, yaml, regex"]),
        Result.on("python", [python, "-c", "pass"]),
    ]
    measure_in_turn(startup, args.startup_runs, args.timeout)
    print(f"## Start-up: one {startup[0].nbytes:,}-byte file, {args.startup_runs} runs in "
          "turn\n\n" + startup_table(startup) + "\n", flush=True)
    if startup[0].runs and startup[1].runs:
        print(f"healthlint / import floor: {startup[0].wall / startup[1].wall:.2f} (median wall)"
              "\n", flush=True)

    if args.peers:
        print("## Peers (run_peers.sh)\n")
        peer_runs = args.peer_runs
        rows = [] if args.startup_only else ratio_rows("corpus throughput", corpus, run_peers(
            args.peers_dir, args.corpus, "textlint-prh,proselint", peer_runs, 0, args.timeout),
            lower_is_better=False)
        if args.big and big and not big[-1].timed_out:
            rows += ratio_rows("big-file throughput", big[-1], run_peers(
                args.peers_dir, args.big, "proselint", peer_runs, 0, args.timeout),
                lower_is_better=False)
        rows += ratio_rows("start-up wall", startup[0], run_peers(
            args.peers_dir, args.small, "textlint-prh,proselint", 5, 1, args.timeout),
            lower_is_better=True)
        print("## healthlint / peer\n\n" + table(
            ["figure", "peer", "healthlint / peer", "ratio"], rows) + "\n")
        print("Throughput ratio > 1: healthlint is faster. Start-up ratio < 1: healthlint "
              "starts faster.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
