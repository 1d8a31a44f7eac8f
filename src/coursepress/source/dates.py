"""Tolerant date reading, in one place: TOML/YAML dates and the string forms course sites use."""

from __future__ import annotations

import re
from datetime import date, datetime, time, tzinfo

# Forms seen in real course posts, tried in order after ISO 8601.
_STRING_FORMATS = (
    "%d %b %Y",  # 03 Sep 2023
    "%d %B %Y",  # 3 September 2023
    "%b %d, %Y",  # Sep 3, 2023
    "%B %d, %Y",  # September 3, 2023
    "%Y/%m/%d",  # 2023/09/03
    "%Y/%m/%d %H:%M",  # 2023/09/03 14:00
)

ACCEPTED_FORMS = (
    '"2023-09-03", "2023-09-03T14:00:00", "2023-09-03T14:00:00-04:00", '
    '"03 Sep 2023", "3 September 2023", "Sep 3, 2023", "2023/09/03"'
)


MAX_WEEKS = 99
"""The most weeks a term has: `week` in front matter and `term_weeks` stop here (a date
written as a week, `week = 20231001`, would otherwise make a schedule of 20 million weeks)."""


class DateFormatError(ValueError):
    """A value that is not a date in any accepted form."""


def parse_date(value: object, zone: tzinfo) -> datetime:
    """A datetime in `zone`: naive values and plain dates are read in it, others converted to it
    (so pages show, sort and get permalinks by the course's own calendar)."""
    if isinstance(value, datetime):
        try:
            return value.astimezone(zone) if value.tzinfo else value.replace(tzinfo=zone)
        except OverflowError:  # 9999-12-31T23:00-05:00 is in the year 10000 in UTC
            raise DateFormatError(
                f"{value.isoformat()} falls outside the years 1 to 9999 in the site's time zone"
            ) from None
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=zone)
    if isinstance(value, str):
        return _parse_string(value.strip(), zone)
    raise DateFormatError(f"expected a date, got {type(value).__name__} {value!r}")


def _parse_string(text: str, zone: tzinfo) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = _parse_with_formats(text)
    return parsed.astimezone(zone) if parsed.tzinfo else parsed.replace(tzinfo=zone)


_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def _parse_with_formats(text: str) -> datetime:
    numeric = _DAY_MONTH_YEAR.fullmatch(text)
    if numeric:
        first, second, year = (int(part) for part in numeric.groups())
        raise DateFormatError(
            f'the date "{text}" is ambiguous: {first}/{second} is day/month in most of the world '
            f"and month/day in the US; write it as {year}-{second:02d}-{first:02d} or "
            f"{year}-{first:02d}-{second:02d}"
        )
    for form in _STRING_FORMATS:
        try:
            return datetime.strptime(text, form)
        except ValueError:
            continue
    raise DateFormatError(f'cannot read the date "{text}"')
