"""Run caseledger's benchmark suite: `.venv/bin/python -m bench [--large] [--only PART]`.

Writes `bench/results/<date>.json` (with the machine it ran on) and prints a table.

Parts, each on fresh stores (a SQLite file in a temporary directory; a PostgreSQL schema in
database `test` at 127.0.0.1:5432, dropped afterwards):

* `commands`: command throughput through the ledger against the raw engine (see
  `bench.commands`), SQLite and PostgreSQL;
* `api`: latency and throughput of the real `caseledger serve` at 1, 8 and 32 clients
  (`bench.api`), SQLite and PostgreSQL;
* `reads`: GET /cases and GET /cases/{id} at 1, 8 and 32 clients against the ceiling, a
  minimal Flask + waitress application over the same view rows, side by side (`bench.reads`),
  SQLite and PostgreSQL;
* `cores`: `caseledger serve` with one worker process against two, reads and writes at 8
  and 32 clients, side by side (`bench.cores`), SQLite and PostgreSQL;
* `group`: 32 callers at once through the ledger, with group commit and with one caller per
  transaction, against the raw engine's one-row-per-transaction rate (`bench.group`), SQLite
  and PostgreSQL;
* `growth`: rebuild, verify, subject access export and one-case work at 10^4 and 10^5
  events on SQLite and 10^4 on PostgreSQL; `--large` adds 10^6 on SQLite and 10^5 and 10^6
  on PostgreSQL (`bench.growth`; PostgreSQL to 10^6 takes about an hour here);
* `costs`: on SQLite, command throughput with and without the integrity recorder and with
  and without encryption of personal fields, `verify` against plain SHA-256 over 10^4
  events (10^5 with `--large`), and an evidence pack of a 1,000-event case (`bench.costs`).

* `sar` (only with `--only sar`): subject access export time with 10^3 and 10^4 cases
  stored, and 10^5 with `--large` (`bench.sar_scale`);
* `verify` (only with `--only verify`): `caseledger verify` over 10^5 events, 10^6 with
  `--large`, against plain SHA-256 over the same stored bytes (`bench.verify_scale`);
* `catchup` (only with `--only catchup`): `caseledger projections rebuild` as a process,
  every view caught up from zero, over 10^5 events on SQLite and PostgreSQL, and 10^6 on
  SQLite with `--large` (`bench.catchup_scale`).

`--quick` cuts every count by ten, to check the suite itself runs. `--engine sqlite` (or
`postgres`) keeps the parts that run on both engines to that one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.api import api_latency
from bench.catchup_scale import catch_up_at_scale
from bench.commands import command_throughput
from bench.common import ENGINES
from bench.cores import one_against_two_workers
from bench.cores import table as cores_table
from bench.costs import costs
from bench.group import many_callers
from bench.group import table as group_table
from bench.growth import growth
from bench.reads import reads_against_ceiling
from bench.reads import table as reads_table
from bench.sar_scale import sar_at_scale
from bench.verify_scale import verify_at_scale

RESULTS = Path(__file__).with_name("results")
PARTS = ("commands", "api", "reads", "cores", "group", "growth", "costs")
EXTRA_PARTS = ("sar", "verify", "catchup")  # long: run only when asked for with --only


def machine() -> dict[str, Any]:
    """The hardware and software the figures come from."""
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    fields = dict(line.split(":", 1) for line in lscpu.splitlines() if ":" in line)
    meminfo = Path("/proc/meminfo").read_text().split("\n", 1)[0]
    return {
        "cpu": fields.get("Model name", "?").strip(),
        "cpus": os.cpu_count(),
        "memory_gib": round(int(meminfo.split()[1]) / 2**20, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def sizes(large: bool, quick: bool) -> dict[str, tuple[int, ...]]:
    chosen = {"sqlite": (10**4, 10**5), "postgres": (10**4,)}
    if large:
        chosen = {"sqlite": (10**4, 10**5, 10**6), "postgres": (10**4, 10**5, 10**6)}
    if quick:
        chosen = {engine: tuple(n // 10 for n in ns) for engine, ns in chosen.items()}
    return chosen


def code() -> dict[str, Any]:
    """The commit measured, and the files that differed from it (read-only git calls)."""
    env = os.environ | {"GIT_OPTIONAL_LOCKS": "0"}  # never refresh the index

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, env=env)
        return done.stdout.strip()

    changed = git("status", "--porcelain", "--untracked-files=all").splitlines()
    return {"commit": git("rev-parse", "HEAD"), "uncommitted": changed}


def catchup_sizes(large: bool, quick: bool) -> dict[str, tuple[int, ...]]:
    chosen: dict[str, tuple[int, ...]] = {
        "sqlite": (10**5, 10**6) if large else (10**5,),
        "postgres": (10**5,),
    }
    if quick:
        chosen = {engine: tuple(n // 10 for n in ns) for engine, ns in chosen.items()}
    return chosen


def run(
    parts: tuple[str, ...], large: bool, quick: bool, engines: tuple[str, ...] = ENGINES
) -> dict[str, Any]:
    scale = 10 if quick else 1
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "options": {"large": large, "quick": quick, "engines": list(engines)},
        "code": code(),
    }
    timings = {}
    for part in parts:
        began = time.perf_counter()
        if part == "commands":
            results[part] = [command_throughput(e, 500 // scale, 4) for e in engines]
        elif part == "api":
            results[part] = [
                api_latency(e, 200, (1, 8, 32), 2000 // scale, 6 / scale) for e in engines
            ]
        elif part == "reads":
            results[part] = [
                reads_against_ceiling(e, 200, (1, 8, 32), 4000 // scale, 4 / scale) for e in engines
            ]
        elif part == "cores":
            results[part] = [
                one_against_two_workers(e, 200, (8, 32), 4000 // scale, 4 / scale) for e in engines
            ]
        elif part == "group":
            results[part] = [many_callers(e, 32, 40 // scale) for e in engines]
        elif part == "growth":
            results[part] = [growth(e, n) for e, n in sizes(large, quick).items() if e in engines]
        elif part == "verify":
            results[part] = verify_at_scale((10**6 if large else 10**5) // scale)
        elif part == "catchup":
            chosen = catchup_sizes(large, quick)
            results[part] = catch_up_at_scale({e: chosen[e] for e in engines})
        elif part == "sar":
            counts = (10**3, 10**4, 10**5) if large else (10**3, 10**4)
            results[part] = sar_at_scale(tuple(n // scale for n in counts))
        else:
            events = (10**5 if large else 10**4) // scale
            results[part] = costs(300 // scale, 1000 // scale, events, 1000 // scale)
        timings[part] = round(time.perf_counter() - began, 1)
        print(f"[bench] {part} done in {timings[part]} s", file=sys.stderr, flush=True)
    results["runtime_s"] = timings
    return results


def table(results: dict[str, Any]) -> str:
    """The figures as a Markdown table, each next to its anchor."""
    m = results["machine"]
    lines = [
        f"Ran {results['date']} on {m['cpus']} x {m['cpu']}, {m['memory_gib']} GiB, "
        f"Python {m['python']}, Linux {m['kernel']}; runtime {results['runtime_s']} s.",
        "",
    ]
    for r in results.get("commands", []):
        lines.append(
            f"- commands, {r['engine']} ({_durability(r['durability'])}, "
            f"{r['mean_event_bytes']} B events): "
            f"reports {r['reports_per_s']}/s, updates {r['updates_per_s']}/s; raw insert "
            f"{r['raw_rows_per_s']} rows/s; ratio {r['reports_ratio']} / {r['updates_ratio']}"
        )
        for key, label in (
            ("framework_ceiling", "bare eventsourcing Application (the ceiling)"),
            ("library_in_memory", "the same in memory, no database"),
        ):
            if key in r:
                f = r[key]
                lines.append(
                    f"  - {label}: creates {f['creates_per_s']}/s ({f['creates_cpu_ms']} ms CPU), "
                    f"updates {f['updates_per_s']}/s ({f['updates_cpu_ms']} ms CPU); ratio to raw "
                    f"{f['creates_ratio']} / {f['updates_ratio']}"
                )
    if "api" in results:
        lines += ["", "| API | engine | clients | req/s | p50 ms | p95 ms | p99 ms | errors |"]
        lines.append("|---|---|---|---|---|---|---|---|")
        for r in results["api"]:
            for op, label in (
                ("list", "GET /cases"),
                ("get", "GET /cases/{id}"),
                ("contact", "POST contacts"),
            ):
                for lv in r[op]:
                    lines.append(
                        f"| {label} | {r['engine']} | {lv['clients']} | {lv['per_s']} | "
                        f"{lv['p50_ms']} | {lv['p95_ms']} | {lv['p99_ms']} | {lv['errors']} |"
                    )
        peaks = ", ".join(
            f"{r['engine']} {r['server_peak_rss_kib'] // 1024} MiB" for r in results["api"]
        )
        lines.append(f"\nServer peak RSS after the API runs: {peaks}.")
    if "reads" in results:
        lines += reads_table(results["reads"])
    if "cores" in results:
        lines += cores_table(results["cores"])
    if "group" in results:
        lines += group_table(results["group"])
    if "growth" in results:
        lines += [
            "",
            "| engine | events | generate ev/s | rebuild s (ev/s) | verify s (ev/s) "
            "| verify RSS MiB | export p50 ms | pack p50 ms | update p50 ms | catch-up p50 ms "
            "| API list / get p50 ms | server RSS MiB |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in results["growth"]:
            for s in r["sizes"]:
                lines.append(
                    f"| {r['engine']} | {s['events']} | {s['generate_events_per_s']} | "
                    f"{s['rebuild_s']} ({s['rebuild_events_per_s']}) | "
                    f"{s['verify_s']} ({s['verify_events_per_s']}) | "
                    f"{s['verify_peak_rss_kib'] // 1024} | {s['subject_export_p50_ms']} | "
                    f"{s.get('evidence_pack_p50_ms', '-')} | {s['update_command_p50_ms']} | "
                    f"{s['catch_up_when_current_p50_ms']} | "
                    f"{s['api_list_p50_ms']} / {s['api_get_case_p50_ms']} | "
                    f"{s['server_peak_rss_kib'] // 1024} |"
                )
    if "costs" in results:
        lines += _costs_table(results["costs"])
    if "verify" in results:
        v = results["verify"]
        lines.append(
            f"\n- verify, {v['events']} events: `caseledger verify` {v['verify_process_s']} s, "
            f"peak RSS {v['verify_peak_rss_kib'] // 1024} MiB; in-process "
            f"{v['verify_in_process_s']} s ({v['verify_events_per_s']} ev/s); plain SHA-256 "
            f"{v['sha256_s']} s ({v['sha256_events_per_s']} ev/s); ratio {v['ratio']}"
        )
    if "sar" in results:
        lines += [
            "",
            "| subject access export, SQLite | cases | events | index catch-up s "
            "| export p50 ms | export max ms |",
            "|---|---|---|---|---|---|",
        ]
        for s in results["sar"]["sizes"]:
            lines.append(
                f"| | {s['cases']} | {s['events']} | {s['index_catch_up_s']} | "
                f"{s['export_p50_ms']} | {s['export_max_ms']} |"
            )
    if "catchup" in results:
        lines += _catchup_table(results["catchup"])
    return "\n".join(lines)


def _catchup_table(c: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "| projection catch-up from zero (`caseledger projections rebuild`, own process) "
        "| events | cases | wall s | events/s | peak RSS MiB | start-up s | events/s less "
        "start-up | events/s by tenth of the log | generate ev/s (ev/txn) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in c["runs"]:
        tenths = r["tenths_events_per_s"]
        lines.append(
            f"| {r['engine']} | {r['events']} | {r['cases']} | {r['rebuild_s']} | "
            f"{r['rebuild_events_per_s']} | {r['rebuild_peak_rss_kib'] // 1024} | "
            f"{r['startup_s']} | {r['rebuild_less_startup_events_per_s']} | "
            f"{' '.join(map(str, tenths)) if tenths else 'n/a'} | "
            f"{r['generate_events_per_s']} ({r['generate_events_per_transaction']}) |"
        )
    lines.append(f"\nNote: {c['note']}.")
    return lines


def _costs_table(c: dict[str, Any]) -> list[str]:
    lines = [
        "",
        f"| cost ({c['engine']}, {c['reports']} reports + {c['updates']} updates, median of "
        f"{c['rounds']}) | with | without | ratio with / without |",
        "|---|---|---|---|",
    ]
    for name, label in (("hashing", "integrity recorder"), ("encryption", "personal-field AES")):
        with_, without = c[name]["with"], c[name]["without"]
        for rate, unit in (("reports_per_s", "reports/s"), ("updates_per_s", "updates/s")):
            ratio = c[name][rate.replace("_per_s", "_ratio")]
            lines.append(f"| {label}: {unit} | {with_[rate]} | {without[rate]} | {ratio} |")
        lines.append(
            f"| {label}: mean event bytes | {with_['event_bytes']} | {without['event_bytes']} | |"
        )
    v, p = c["verify"], c["evidence_pack"]
    lines += [
        "",
        f"- verify, {v['events']} events, {v['checkpoints']} checkpoints: {v['verify_s']} s "
        f"({v['verify_events_per_s']} ev/s); plain SHA-256 of the same stored bytes "
        f"{v['sha256_s']} s ({v['sha256_events_per_s']} ev/s); ratio verify / SHA-256 "
        f"{v['ratio']}; verify peak heap {v['verify_peak_heap_kib']} KiB",
        f"- evidence pack, {p['case_events']}-event case: produce {p['produce_s']} s, "
        f"verify-pack {p['verify_pack_s']} s, standalone verifier {p['standalone_verifier_s']} s "
        f"(peak RSS {p['standalone_verifier_peak_rss_kib'] // 1024} MiB); "
        f"{p['pack_bytes']} bytes",
    ]
    return lines


def _durability(settings: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in settings.items())


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    p.add_argument("--large", action="store_true", help="add 10^6 events (10^5 catch-up on PG)")
    p.add_argument("--quick", action="store_true", help="every count / 10: checks the suite")
    p.add_argument(
        "--only", choices=PARTS + EXTRA_PARTS, action="append", help="run only this part"
    )
    p.add_argument(
        "--engine", choices=ENGINES, action="append", help="only this engine (parts on both)"
    )
    p.add_argument("--note", help="a note stored with the results (what else was running...)")
    args = p.parse_args()
    results = run(tuple(args.only or PARTS), args.large, args.quick, tuple(args.engine or ENGINES))
    if args.note:
        results["note"] = args.note
    RESULTS.mkdir(exist_ok=True)
    stamp = results["date"][:19].replace(":", "")
    out = RESULTS / f"{stamp}{'-quick' if args.quick else ''}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
