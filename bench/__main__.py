"""make bench: dangjian's hot paths on a large synthetic county, each against its raw-SQL baseline.

Every figure is a median of repeated runs, and each dangjian operation is printed beside the same
work written as plain SQL, measured in the same run on the same data: the ratio is what to read,
since it holds on a noisy machine where absolute times do not.

The county is built once into its own PostgreSQL database (default ``dangjian_bench``, created
with a zh-Hans ICU collation as a Chinese deployment's would be) and reused while its size and
seed match. Then EXPLAIN confirms that the subtree filter is an index range scan.

The benches: ``county`` (the member registry's hot paths above, and restructuring), ``import``
(the member import, ``bench.member_import``), ``heat_map`` (the organizational-life heat map on
a county of ``--branches`` branches in a database of its own, ``bench.heat_map``) and ``dues``
(the month's dues ledger and the arrears list on a county of ``--members`` members in a database of
its own, ``bench.dues``) and ``stats`` (the annual statistics on a county of ``--members`` members with
a year's history, in a database of its own, ``bench.stats``); all by default, ``--only`` picks some
(``python -m bench --only heat_map --branches 500``).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dangjian_bench"
AS_OF = "2026-01-01"  # the generator's "today": the same county whatever day the bench runs
BENCHES = ("county", "import", "heat_map", "dues", "stats")
ROOT = Path(__file__).resolve().parent.parent


def benches(value: str) -> list[str]:
    chosen = [name.strip() for name in value.split(",") if name.strip()]
    if unknown := [name for name in chosen if name not in BENCHES]:
        raise argparse.ArgumentTypeError(f"unknown bench {', '.join(unknown)} (choose from {', '.join(BENCHES)})")
    return chosen


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", type=benches, action="extend", help=f"the benches to run, comma-separated: {', '.join(BENCHES)}"
    )
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per operation (median reported)")
    parser.add_argument("--write-repeat", type=int, default=5, help="timed runs per restructuring operation")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--rebuild", action="store_true", help="rebuild the county even if it matches")
    parser.add_argument("--import-rows", type=int, default=100_000, help="rows of the member import (0: skip it)")
    parser.add_argument(
        "--import-export",
        choices=("both", "bulk", "none"),
        default="both",
        help="django-import-export paths to measure beside ours (the default path takes minutes)",
    )
    parser.add_argument("--branches", type=int, default=10_000, help="heat map: branch-level organizations")
    parser.add_argument(
        "--heat-map-database-url",
        default=os.environ.get("BENCH_HEAT_MAP_DATABASE_URL"),
        help="heat map: its database (default: the bench database's name + _heat_map)",
    )
    parser.add_argument("--profile", action="store_true", help="heat map: then cProfile one year_of run")
    parser.add_argument("--generate-repeat", type=int, default=3, help="dues: timed runs of the month's generation")
    parser.add_argument(
        "--dues-database-url",
        default=os.environ.get("BENCH_DUES_DATABASE_URL"),
        help="dues: its database (default: the bench database's name + _dues)",
    )
    parser.add_argument(
        "--stats-database-url",
        default=os.environ.get("BENCH_STATS_DATABASE_URL"),
        help="stats: its database (default: the bench database's name + _stats)",
    )
    return parser.parse_args()


def admin_connection(url: str) -> psycopg.Connection[Any]:
    """A connection to the server's ``postgres`` database, to create (or drop) a bench database."""
    import dj_database_url

    config = dj_database_url.parse(url)
    return psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def ensure_database(url: str) -> None:
    """Create the benchmark database if it is missing (PostgreSQL only)."""
    import dj_database_url

    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        sys.exit("make bench needs PostgreSQL: set BENCH_DATABASE_URL=postgres://...")
    with admin_connection(url) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            try:
                admin.execute(
                    f'CREATE DATABASE "{config["NAME"]}" TEMPLATE template0 '
                    "LOCALE_PROVIDER icu ICU_LOCALE 'zh-Hans' LOCALE 'C.UTF-8'"
                )
            except psycopg.Error:  # a server built without ICU
                admin.execute(f'CREATE DATABASE "{config["NAME"]}"')


def median_ms(operation: Callable[[], Any], repeat: int) -> float:
    for _ in range(2):
        operation()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        operation()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    args = parse_args()
    only = args.only or list(BENCHES)
    set_up = "county" in only or ("import" in only and args.import_rows)
    if set_up:
        ensure_database(args.database_url)
        os.environ["DATABASE_URL"] = args.database_url
        os.environ["DEBUG"] = "0"  # no query log: it would be part of what is measured
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
        import django

        django.setup()
        from bench.scenarios import build_if_needed, run_all

        build_seconds = build_if_needed(args.members, args.seed, AS_OF, args.rebuild)
        if "county" in only:
            run_all(args.members, args.repeat, args.write_repeat, build_seconds, median_ms)
        if "import" in only and args.import_rows:
            from bench import member_import

            member_import.run(
                args.import_rows, args.database_url, args.import_export != "none", args.import_export == "both"
            )
    if "heat_map" in only:
        from bench import heat_map

        url = args.heat_map_database_url or heat_map.default_url(args.database_url, "_heat_map")
        if not set_up:
            heat_map.run_here(args.branches, args.seed, args.repeat, url, args.rebuild, args.profile)
        else:
            # Django is set up on the county's database already: the heat map runs in a process of its own.
            command = [sys.executable, "-m", "bench.heat_map", "--branches", str(args.branches)]
            command += ["--seed", str(args.seed), "--repeat", str(args.repeat), "--database-url", url]
            command += ["--rebuild"] * args.rebuild + ["--profile"] * args.profile
            if subprocess.run(command, cwd=ROOT, check=False).returncode != 0:
                sys.exit("the heat-map bench failed")
    if "dues" in only:
        from bench import dues

        url = args.dues_database_url or dues.default_url(args.database_url, "_dues")
        if not set_up and "heat_map" not in only:
            dues.run_here(args.members, args.seed, args.repeat, args.generate_repeat, url, args.rebuild)
        else:  # Django is set up on another database already: the dues bench runs in a process of its own
            command = [sys.executable, "-m", "bench.dues", "--members", str(args.members), "--seed", str(args.seed)]
            command += ["--repeat", str(args.repeat), "--generate-repeat", str(args.generate_repeat)]
            command += ["--database-url", url] + ["--rebuild"] * args.rebuild
            if subprocess.run(command, cwd=ROOT, check=False).returncode != 0:
                sys.exit("the dues bench failed")
    if "stats" in only:
        from bench import stats

        url = args.stats_database_url or stats.default_url(args.database_url, "_stats")
        if not set_up and "heat_map" not in only and "dues" not in only:
            stats.run_here(args.members, args.seed, args.repeat, url, args.rebuild)
        else:  # Django is set up on another database already: the stats bench runs in a process of its own
            command = [sys.executable, "-m", "bench.stats", "--members", str(args.members), "--seed", str(args.seed)]
            command += ["--repeat", str(args.repeat), "--database-url", url] + ["--rebuild"] * args.rebuild
            if subprocess.run(command, cwd=ROOT, check=False).returncode != 0:
                sys.exit("the stats bench failed")


if __name__ == "__main__":
    main()
