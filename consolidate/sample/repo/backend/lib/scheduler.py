"""Cron-style schedules: parsing and next-run computation.

Supports the classic five-field syntax::

    minute  hour  day-of-month  month  day-of-week
    0-59    0-23  1-31          1-12   0-7 (0 and 7 are Sunday)

with ``*``, lists (``1,15``), ranges (``1-5``), steps (``*/15``, ``10-50/10``,
``5/20``), three-letter month and weekday names (``jan``, ``mon-fri``) and the
``@hourly``, ``@daily``/``@midnight``, ``@weekly``, ``@monthly`` and
``@yearly``/``@annually`` aliases.

As in Vixie cron, when both day-of-month and day-of-week are restricted a day
matches if *either* field matches ("0 0 1 * mon" runs on the 1st and on every
Monday).

Times are computed on the wall clock of the datetime passed in. taskhub always
passes UTC, which sidesteps DST gaps and repeats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

__all__ = ["CronExpression", "next_run", "next_runs", "parse"]

ALIASES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}

MONTH_NAMES = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
WEEKDAY_NAMES = {
    name: number for number, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))
}

# An expression such as "0 0 30 2 *" never fires; stop looking after this long.
SEARCH_LIMIT = timedelta(days=366 * 5)


@dataclass(frozen=True)
class CronExpression:
    """A parsed schedule. Use :func:`parse` rather than building one directly."""

    source: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    days_restricted: bool
    weekdays_restricted: bool

    def matches_day(self, when: datetime) -> bool:
        in_days = when.day in self.days
        in_weekdays = (when.weekday() + 1) % 7 in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return in_days or in_weekdays
        return in_days and in_weekdays

    def matches(self, when: datetime) -> bool:
        return (
            when.minute in self.minutes
            and when.hour in self.hours
            and when.month in self.months
            and self.matches_day(when)
        )


def _value(token: str, names: dict[str, int], field: str) -> int:
    token = token.lower()
    if token in names:
        return names[token]
    if not token.isdigit():
        raise ValueError(f"{field}: invalid value {token!r}")
    return int(token)


def _field(
    text: str, low: int, high: int, field: str, names: dict[str, int] | None = None
) -> frozenset[int]:
    names = names or {}
    values: set[int] = set()
    for part in text.split(","):
        if not part:
            raise ValueError(f"{field}: empty item in {text!r}")
        base, slash, step_text = part.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) == 0:
                raise ValueError(f"{field}: invalid step {step_text!r}")
            step = int(step_text)
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = _value(first, names, field), _value(last, names, field)
        else:
            start = _value(base, names, field)
            # "5/20" is shorthand for "5-<max>/20".
            end = high if slash else start
        for bound in (start, end):
            if not low <= bound <= high:
                raise ValueError(f"{field}: {bound} is outside {low}-{high}")
        if start > end:
            raise ValueError(f"{field}: range {start}-{end} is backwards")
        values.update(range(start, end + 1, step))
    return frozenset(values)


@lru_cache(maxsize=256)
def parse(expression: str) -> CronExpression:
    """Parse a cron expression or alias; raise ``ValueError`` if it is invalid."""
    text = expression.strip()
    text = ALIASES.get(text.lower(), text)
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, got {len(fields)}: {expression!r}")
    minute, hour, day, month, weekday = fields
    weekdays = _field(weekday, 0, 7, "day-of-week", WEEKDAY_NAMES)
    if 7 in weekdays:
        weekdays = (weekdays - {7}) | {0}
    return CronExpression(
        source=expression,
        minutes=_field(minute, 0, 59, "minute"),
        hours=_field(hour, 0, 23, "hour"),
        days=_field(day, 1, 31, "day-of-month"),
        months=_field(month, 1, 12, "month", MONTH_NAMES),
        weekdays=weekdays,
        # Vixie cron treats a field as unrestricted when it starts with "*",
        # including stepped forms such as "*/2".
        days_restricted=not day.startswith("*"),
        weekdays_restricted=not weekday.startswith("*"),
    )


def next_run(schedule: str | CronExpression, after: datetime) -> datetime:
    """Return the first time strictly after ``after`` that matches ``schedule``.

    Seconds and microseconds of the result are zero; ``tzinfo`` is preserved.
    """
    cron = parse(schedule) if isinstance(schedule, str) else schedule
    when = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    deadline = after + SEARCH_LIMIT
    while when <= deadline:
        if when.month not in cron.months:
            first_of_month = when.replace(day=1, hour=0, minute=0)
            when = (first_of_month + timedelta(days=32)).replace(day=1)
        elif not cron.matches_day(when):
            when = (when + timedelta(days=1)).replace(hour=0, minute=0)
        elif when.hour not in cron.hours:
            when = (when + timedelta(hours=1)).replace(minute=0)
        elif when.minute not in cron.minutes:
            when += timedelta(minutes=1)
        else:
            return when
    raise ValueError(f"{cron.source!r} does not fire within {SEARCH_LIMIT.days} days")


def next_runs(schedule: str | CronExpression, after: datetime, count: int) -> list[datetime]:
    """Return the next ``count`` run times after ``after``, in order."""
    runs: list[datetime] = []
    when = after
    for _ in range(count):
        when = next_run(schedule, when)
        runs.append(when)
    return runs
