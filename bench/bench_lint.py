"""tlsdoctor lint vs ripgrep (or grep -rE) over a large tree, in the same run.

The tree is the Python standard library plus the virtual environment's site-packages (or the
paths given in TLSDOCTOR_BENCH_PATHS, separated by os.pathsep); --no-ignore on both sides,
warm page cache, best of 3 runs. Two baselines:

- ripgrep with the equivalent patterns: every default rule's regexes (text rules) and gates
  (Python rules), look-arounds removed. This is what a grep-based linter would run. Slow in
  ripgrep (case-insensitive alternatives with Unicode classes), so it runs once.
- ripgrep with only the rules' literal anchors (-F): the cheapest search that could find the
  candidates at all, a lower bound no regex linter can beat. The goal is checked against it.

Goal: tlsdoctor at least 1/5 of ripgrep's speed (ripgrep time / tlsdoctor time >= 0.2).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Sequence

RUNS = 3
GOAL = 0.2


def tree() -> list[str]:
    configured = os.environ.get("TLSDOCTOR_BENCH_PATHS")
    if configured:
        return [p for p in configured.split(os.pathsep) if p]
    paths = sysconfig.get_paths()
    return sorted({paths["stdlib"], paths["purelib"]})


def _portable(pattern: str) -> str | None:
    """A rule regex in the dialect ripgrep and grep -E share (no look-around, no \\n)."""
    text = pattern
    text = _without_lookarounds(text)
    text = text.replace("(?P<at>", "(").replace("(?:", "(")
    text = text.replace("\\\\\\n", "").replace("|\\\\\\n", "")
    text = text.replace("\\x27", "'")
    if "\\n" in text.replace("[^\\n", "").replace("\\n]", ""):
        return None
    return text


def _without_lookarounds(pattern: str) -> str:
    """Drop every (?=...), (?!...), (?<=...), (?<!...), however deeply their groups nest."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            depth = 0
            while i < len(pattern):
                if pattern[i] == "\\":
                    i += 2
                    continue
                if pattern[i] == "[":  # a ")" inside a character class closes nothing
                    i = _class_end(pattern, i)
                    continue
                depth += {"(": 1, ")": -1}.get(pattern[i], 0)
                i += 1
                if depth == 0:
                    break
            continue
        if pattern[i] == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        out.append(pattern[i])
        i += 1
    return "".join(out)


def _class_end(pattern: str, start: int) -> int:
    """The index after the character class that opens at ``start``."""
    i = start + 1
    if pattern[i : i + 1] == "^":
        i += 1
    if pattern[i : i + 1] == "]":
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1


def _for_grep(pattern: str) -> str:
    """GNU grep -E has no inline flags: drop them (the search gets a little narrower)."""
    return re.sub(r"\(\?[imsx]+\)", "", pattern).replace("(?i:", "(").replace("(?m:", "(")


def equivalent_patterns() -> list[str]:
    """Every default rule's patterns (text rules) and gates (Python rules)."""
    from tlsdoctor.core.lint.rules import select_rules

    out: list[str] = []
    for rule in select_rules():
        sources = [rule.gate] if rule.gate is not None else list(rule.patterns)
        sources += [p for ps in rule.kind_patterns.values() for p in ps]
        for compiled in sources:
            if compiled is None:
                continue
            portable = _portable(compiled.pattern)
            if portable and portable not in out:  # a group shared by several file kinds: once
                out.append(portable)
    return out


def _time(command: Sequence[str], runs: int = RUNS) -> tuple[float, int]:
    best = float("inf")
    code = 0
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
        )
        best = min(best, time.perf_counter() - start)
        code = done.returncode
        if code not in (0, 1):
            sys.stderr.write(done.stderr.decode(errors="replace")[:500])
    return best, code


def anchors() -> list[str]:
    from tlsdoctor.core.lint.rules import select_rules

    return sorted({a for rule in select_rules() for a in rule.anchors})


def baseline_command(
    patterns_file: str, paths: Sequence[str], *, fixed: bool
) -> tuple[str, list[str]]:
    rg = shutil.which("rg")
    flag = ["-F"] if fixed else []
    if rg:
        return "ripgrep", [rg, "--no-ignore", "--hidden", "-c", *flag, "-f", patterns_file, *paths]
    if not fixed:
        with open(patterns_file, encoding="utf-8") as f:
            lines = [_for_grep(line) for line in f.read().splitlines()]
        with open(patterns_file, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    return "grep -r", ["grep", "-rcI", *(flag or ["-E"]), "-f", patterns_file, *paths]


def _write(lines: Sequence[str]) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        return f.name


def main() -> int:
    paths = tree()
    tlsdoctor = [sys.executable, "-m", "tlsdoctor", "lint", "--no-ignore", "--no-config"]
    patterns, literals = equivalent_patterns(), anchors()
    patterns_file, literals_file = _write(patterns), _write(literals)
    try:
        name, full = baseline_command(patterns_file, paths, fixed=False)
        _name, fixed = baseline_command(literals_file, paths, fixed=True)
        files = sum(len(fs) for p in paths for _d, _s, fs in os.walk(p))
        print(f"tree: {', '.join(paths)} ({files} files)", flush=True)
        _time(fixed, 1)  # warm the page cache for every run
        fixed_time, _ = _time(fixed)
        lint_time, code = _time([*tlsdoctor, "--format", "json", *paths])
        serial_time, _ = _time([*tlsdoctor, "--format", "json", "--jobs", "1", *paths])
        full_time, _ = _time(full, 1)
    finally:
        os.unlink(patterns_file)
        os.unlink(literals_file)
    ratio = fixed_time / lint_time
    print(f"tlsdoctor lint: {lint_time:.2f} s (exit {code}); one process: {serial_time:.2f} s")
    print(
        f"{name}, {len(patterns)} equivalent regexes: {full_time:.2f} s "
        f"-> tlsdoctor is {full_time / lint_time:.1f}x faster"
    )
    print(f"{name}, {len(literals)} literal anchors (-F): {fixed_time:.2f} s")
    print(f"speed ratio ({name} -F time / tlsdoctor time): {ratio:.2f} (goal >= {GOAL})")
    return 0 if ratio >= GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
