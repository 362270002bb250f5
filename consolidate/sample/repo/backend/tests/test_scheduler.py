import os
import sys
import unittest
from datetime import UTC, datetime, timedelta, timezone

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "lib"))
from scheduler import next_run, next_runs, parse


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


class ParseTest(unittest.TestCase):
    def test_star_expands_to_full_range(self) -> None:
        cron = parse("* * * * *")
        self.assertEqual(cron.minutes, frozenset(range(60)))
        self.assertEqual(cron.hours, frozenset(range(24)))
        self.assertEqual(cron.weekdays, frozenset(range(7)))
        self.assertFalse(cron.days_restricted)
        self.assertFalse(cron.weekdays_restricted)

    def test_lists_ranges_and_steps(self) -> None:
        cron = parse("*/15 9-17/4 1,15 jan-mar mon-fri")
        self.assertEqual(cron.minutes, {0, 15, 30, 45})
        self.assertEqual(cron.hours, {9, 13, 17})
        self.assertEqual(cron.days, {1, 15})
        self.assertEqual(cron.months, {1, 2, 3})
        self.assertEqual(cron.weekdays, {1, 2, 3, 4, 5})

    def test_single_value_with_step_runs_to_end_of_range(self) -> None:
        self.assertEqual(parse("5/20 * * * *").minutes, {5, 25, 45})

    def test_seven_is_sunday(self) -> None:
        self.assertEqual(parse("0 0 * * 7").weekdays, {0})
        self.assertEqual(parse("0 0 * * 5-7").weekdays, {0, 5, 6})

    def test_aliases(self) -> None:
        self.assertEqual(parse("@daily").minutes, {0})
        self.assertEqual(parse("@daily").hours, {0})
        self.assertEqual(parse("@hourly").hours, frozenset(range(24)))
        self.assertEqual(parse("@weekly").weekdays, {0})

    def test_invalid_expressions(self) -> None:
        for bad in (
            "",
            "* * * *",
            "* * * * * *",
            "60 * * * *",
            "* 24 * * *",
            "* * 0 * *",
            "* * * 13 *",
            "* * * * 8",
            "*/0 * * * *",
            "5-1 * * * *",
            "1,,2 * * * *",
            "* * * foo *",
            "@fortnightly",
        ):
            with self.subTest(expression=bad), self.assertRaises(ValueError):
                parse(bad)


class NextRunTest(unittest.TestCase):
    def test_every_fifteen_minutes(self) -> None:
        self.assertEqual(next_run("*/15 * * * *", at(2026, 9, 1, 10, 7)), at(2026, 9, 1, 10, 15))

    def test_result_is_strictly_after(self) -> None:
        self.assertEqual(next_run("*/15 * * * *", at(2026, 9, 1, 10, 15)), at(2026, 9, 1, 10, 30))

    def test_seconds_are_dropped(self) -> None:
        after = at(2026, 9, 1, 10, 14, 59) + timedelta(microseconds=5)
        self.assertEqual(next_run("*/15 * * * *", after), at(2026, 9, 1, 10, 15))

    def test_daily_rolls_over_to_next_day(self) -> None:
        self.assertEqual(next_run("0 3 * * *", at(2026, 9, 1, 3, 0)), at(2026, 9, 2, 3, 0))

    def test_rolls_over_month_and_year(self) -> None:
        self.assertEqual(next_run("30 23 31 * *", at(2026, 9, 1)), at(2026, 10, 31, 23, 30))
        self.assertEqual(next_run("@yearly", at(2026, 12, 31, 23, 59)), at(2027, 1, 1))

    def test_weekdays_only(self) -> None:
        # 2026-09-04 is a Friday; the next weekday morning is Monday the 7th.
        self.assertEqual(next_run("0 7 * * mon-fri", at(2026, 9, 4, 8)), at(2026, 9, 7, 7))

    def test_day_of_month_or_day_of_week(self) -> None:
        # Both restricted: the 15th *or* a Monday, whichever comes first.
        cron = "0 0 15 * mon"
        self.assertEqual(next_run(cron, at(2026, 9, 1)), at(2026, 9, 7))
        self.assertEqual(next_run(cron, at(2026, 9, 14)), at(2026, 9, 15))

    def test_stepped_day_of_week_counts_as_unrestricted(self) -> None:
        # "*/2" starts with "*", so only day-of-month applies (Vixie cron).
        self.assertEqual(next_run("0 0 10 * */2", at(2026, 9, 1)), at(2026, 9, 10))

    def test_leap_day(self) -> None:
        self.assertEqual(next_run("0 12 29 2 *", at(2026, 3, 1)), at(2028, 2, 29, 12))

    def test_impossible_date_raises(self) -> None:
        with self.assertRaises(ValueError):
            next_run("0 0 30 2 *", at(2026, 1, 1))

    def test_timezone_is_preserved(self) -> None:
        tz = timezone(timedelta(hours=2))
        result = next_run("0 9 * * *", datetime(2026, 9, 1, 10, 0, tzinfo=tz))
        self.assertEqual(result, datetime(2026, 9, 2, 9, 0, tzinfo=tz))
        self.assertEqual(result.utcoffset(), timedelta(hours=2))

    def test_next_runs(self) -> None:
        self.assertEqual(
            next_runs("0 */6 * * *", at(2026, 9, 1, 1), 4),
            [at(2026, 9, 1, 6), at(2026, 9, 1, 12), at(2026, 9, 1, 18), at(2026, 9, 2, 0)],
        )

    def test_accepts_parsed_expression(self) -> None:
        cron = parse("@hourly")
        self.assertEqual(next_run(cron, at(2026, 9, 1, 10, 30)), at(2026, 9, 1, 11))


if __name__ == "__main__":
    unittest.main()
