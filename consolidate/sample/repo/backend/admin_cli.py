"""taskhub-admin: look at and repair the job queue from a shell.

    taskhub-admin counts            jobs per status
    taskhub-admin retry JOB_ID      re-queue a dead job
    taskhub-admin purge DAYS        delete finished jobs older than DAYS days

Installed as a console script by setup.cfg; reads DATABASE_URL like the API and the worker.
"""

from __future__ import annotations

import argparse
import json
import time

from jobs import JobQueue


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="taskhub-admin")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("counts")
    retry = commands.add_parser("retry")
    retry.add_argument("job_id")
    purge = commands.add_parser("purge")
    purge.add_argument("days", type=float)
    args = parser.parse_args(argv)
    queue = JobQueue.from_env()
    if args.command == "counts":
        print(json.dumps(queue.counts(), indent=2))
    elif args.command == "retry":
        print(json.dumps(queue.retry(args.job_id).to_dict(), indent=2))
    else:
        removed = queue.purge(time.time() - args.days * 86400)
        print(f"purged {removed} job(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
