"""Command line of the review app.

  python -m review serve                          # the staff web app (MBC_REVIEW_PORT, default 8090)
  python -m review create-user NAME --role admin  # asks for the password (or reads MBC_REVIEW_PASSWORD)
  python -m review set-password NAME
  python -m review sync                           # index new conversations now
  python -m review retention [--days N]           # delete conversations idle for N days (MBC_RETENTION_DAYS)
"""
import argparse
import getpass
import sys

import settings as project
from content.store import get_engine
from review import auth, indexer
from review.retention import apply_retention
from review.schema import create_review_schema
from review.settings import Settings


def read_password() -> str:
    if project.get("MBC_REVIEW_PASSWORD"):
        return project.get("MBC_REVIEW_PASSWORD")
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (12+ characters): ")
    if getpass.getpass("Again: ") != first:
        raise auth.AccountError("The two passwords differ")
    return first


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m review", description="Staff conversation review")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the staff web app")
    create = sub.add_parser("create-user", help="add a staff account")
    create.add_argument("username")
    create.add_argument("--role", choices=auth.ROLES, default="reviewer")
    password = sub.add_parser("set-password", help="change a staff account's password")
    password.add_argument("username")
    sub.add_parser("sync", help="index conversations from the tracker store")
    retention = sub.add_parser("retention", help="delete conversations older than the retention period")
    retention.add_argument("--days", type=int, help="default: MBC_RETENTION_DAYS (365)")
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    review = get_engine(settings.review_db_url)
    create_review_schema(review)
    try:
        if args.command == "serve":
            from review.app import create_app
            print(f"Staff review app on http://{settings.host}:{settings.port}/ (sign in with a staff account)")
            create_app(settings).run(host=settings.host, port=settings.port, access_log=False, workers=1)
        elif args.command == "create-user":
            with review.begin() as conn:
                auth.create_user(conn, args.username, read_password(), args.role)
            print(f"Created {args.role} {args.username}")
        elif args.command == "set-password":
            with review.begin() as conn:
                auth.set_password(conn, args.username, read_password())
            print(f"Password changed for {args.username}")
        elif args.command == "sync":
            print(f"Indexed {indexer.sync(get_engine(settings.tracker_db_url), review)} new events")
        elif args.command == "retention":
            days = args.days or settings.retention_days
            deleted = apply_retention(get_engine(settings.tracker_db_url), review, days)
            print(f"Deleted {deleted} conversation(s) idle for more than {days} days")
    except (auth.AccountError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
