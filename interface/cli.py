"""The `caseledger` command: serve the API, manage staff, load demo data, run projections."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Sequence

from application.actors import Actor
from domain.errors import DomainError
from domain.vocabulary import StaffRole
from interface import (
    backup_cli,
    evidence_pack_cli,
    files_cli,
    integrity_cli,
    reminders_cli,
    subjects_cli,
)
from interface.config import Services, build_services
from interface.failures import EX_SOFTWARE, explain
from interface.keys import KeyUse


def _operator() -> Actor:
    """Whoever runs the CLI on the server is trusted as an administrator."""
    return Actor(username=f"cli:{getpass.getuser()}", role=StaffRole.ADMIN, team="system")


def _serve(args: argparse.Namespace) -> int:
    from interface.serving import cores, serve

    workers = args.workers or cores()
    return serve(
        build_services, host=args.host, port=args.port, threads=args.threads, workers=workers
    )


def _staff_add(services: Services, args: argparse.Namespace) -> int:
    member, token = services.staff.add(
        username=args.name,
        role=args.role,
        team=args.team,
        display_name=args.display_name or args.name,
        email=args.email,
        actor=_operator(),
    )
    print(f"added {member.username} ({member.role}, team {member.team}); their token:")
    print(token)
    return 0


def _staff_set_password(services: Services, args: argparse.Namespace) -> int:
    line = sys.stdin.readline()
    password = line[:-1] if line.endswith("\n") else line
    services.staff.set_password(args.name, password, actor=_operator())
    print(f"{args.name}'s password for the screens is set")
    return 0


def _staff_remove(services: Services, args: argparse.Namespace) -> int:
    services.staff.remove(args.name, reason=args.reason, actor=_operator())
    print(f"removed {args.name}; their token no longer works")
    return 0


def _staff_email(services: Services, args: argparse.Namespace) -> int:
    member = services.staff.set_email(args.name, args.address, actor=_operator())
    print(f"{member.username}'s reminders go to {member.email or 'no address'}")
    return 0


def _staff_move(services: Services, args: argparse.Namespace) -> int:
    member = services.staff.move_team(args.name, args.team, actor=_operator())
    print(f"{member.username} is now in team {member.team}")
    return 0


def _demo(services: Services, args: argparse.Namespace) -> int:
    from interface.demo import load_demo

    return load_demo(args.tokens_file, if_empty=args.if_empty)


def _projections(services: Services, args: argparse.Namespace) -> int:
    if args.action == "run":
        return _run_projections(services, args.poll_interval)
    if args.action == "rebuild":
        services.runner.rebuild(args.name)
    elif args.catch_up:
        services.runner.catch_up(args.name)
    for status in services.runner.status():
        print(f"{status.name}: position {status.position}, head {status.head}, lag {status.lag}")
    return 0


def _run_projections(services: Services, poll_interval: float) -> int:
    import signal

    from projections.worker import ProjectionWorker

    worker = ProjectionWorker(services.runner, poll_interval_s=poll_interval)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: worker.stop())
    worker.run_forever()
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="caseledger", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser(
        "serve", help="run the staff API: a worker process per core (see interface.serving)"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--threads", type=int, default=8, help="threads in each worker")
    serve.add_argument(
        "--workers", type=int, default=0, help="worker processes (default: one per core)"
    )
    serve.set_defaults(standalone=_serve)  # each worker opens the ledger itself

    staff = sub.add_parser("staff", help="staff accounts").add_subparsers(
        dest="staff", required=True
    )
    add = staff.add_parser("add", help="add a member; prints their token as the last line")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in StaffRole])
    add.add_argument("--team", default="default")
    add.add_argument("--display-name", default="")
    add.add_argument("--email", default="", help="the work address their reminders go to")
    add.set_defaults(run=_staff_add)
    set_password = staff.add_parser(
        "set-password", help="set a member's password for the screens, read from standard input"
    )
    set_password.add_argument("name")
    set_password.set_defaults(run=_staff_set_password)
    email = staff.add_parser("email", help="set the address a member's reminders go to")
    email.add_argument("name")
    email.add_argument("address", help='a work email address ("" clears it)')
    email.set_defaults(run=_staff_email)
    move = staff.add_parser("move", help="move a member to another team")
    move.add_argument("name")
    move.add_argument("--team", required=True)
    move.set_defaults(run=_staff_move)
    remove = staff.add_parser("remove", help="remove a member; their token stops working")
    remove.add_argument("name")
    remove.add_argument("--reason", default="left the organisation")
    remove.set_defaults(run=_staff_remove)

    demo = sub.add_parser("demo", help="load realistic demo cases and demo staff accounts")
    demo.add_argument("--tokens-file", default="caseledger-demo-tokens.txt")
    demo.add_argument("--if-empty", action="store_true", help="do nothing if cases exist")
    demo.set_defaults(run=_demo, keys=KeyUse.CREATE)

    projections = sub.add_parser(
        "projections", help="view status, rebuilds, and the view worker (run)"
    )
    projections.add_argument("action", choices=["status", "rebuild", "run"])
    projections.add_argument("name", nargs="?")
    projections.add_argument("--catch-up", action="store_true")
    projections.add_argument(
        "--poll-interval", type=float, default=0.2, help="run: seconds between polls when idle"
    )
    projections.set_defaults(run=_projections, keys=KeyUse.OPEN)
    subjects_cli.register(sub)
    integrity_cli.register(sub)
    evidence_pack_cli.register(sub)
    backup_cli.register(sub)
    files_cli.register(sub)
    reminders_cli.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s [%(process)d] %(levelname)s %(name)s %(message)s",
    )
    standalone = getattr(args, "standalone", None)
    try:
        if standalone is not None:  # backup, restore (no ledger open); serve (one per worker)
            return int(standalone(args))
        services = build_services(keys=getattr(args, "keys", KeyUse.REQUIRE))
    except Exception as e:  # a setting or the environment: one line, what to do, no traceback
        return _failed(e)
    try:
        result: int = args.run(services, args)
        return result
    except DomainError as e:
        print(f"refused: {e}", file=sys.stderr)
        return 2
    except Exception as e:
        return _failed(e)
    finally:
        services.close()


def _failed(error: Exception) -> int:
    """Say in one line what is wrong and how to fix it, with its exit code (`failures`);
    an unforeseen error keeps its traceback in the log."""
    explained = explain(error)
    if explained is None:
        logging.getLogger("caseledger").exception("failed")
        return EX_SOFTWARE
    message, code = explained
    print(message, file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
