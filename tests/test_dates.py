"""Tolerant dates: every accepted form, read in the site's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from coursepress.source.dates import DateFormatError, parse_date

NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    "text",
    [
        "2023-09-03",
        "03 Sep 2023",
        "3 Sep 2023",
        "3 September 2023",
        "Sep 3, 2023",
        "September 3, 2023",
        "2023/09/03",
        "  03 Sep 2023  ",
    ],
)
def test_day_forms_mean_midnight_in_the_site_zone(text: str) -> None:
    assert parse_date(text, NEW_YORK) == datetime(2023, 9, 3, tzinfo=NEW_YORK)


def test_iso_datetimes_with_and_without_zone() -> None:
    assert parse_date("2023-09-03T14:30:00", NEW_YORK) == datetime(
        2023, 9, 3, 14, 30, tzinfo=NEW_YORK
    )
    with_offset = parse_date("2023-09-03T14:30:00+02:00", NEW_YORK)
    assert with_offset == datetime(2023, 9, 3, 8, 30, tzinfo=NEW_YORK)
    assert with_offset.tzinfo is NEW_YORK  # shown in the course's own zone
    assert parse_date("2023-09-03T12:30:00Z", NEW_YORK) == datetime(2023, 9, 3, 12, 30, tzinfo=UTC)
    assert parse_date("2023-09-03 14:30", NEW_YORK).hour == 14


def test_toml_and_yaml_values() -> None:
    assert parse_date(date(2023, 9, 3), NEW_YORK) == datetime(2023, 9, 3, tzinfo=NEW_YORK)
    naive = datetime(2023, 9, 3, 9, 0)
    assert parse_date(naive, NEW_YORK) == datetime(2023, 9, 3, 9, 0, tzinfo=NEW_YORK)
    aware = datetime(2023, 9, 3, 9, 0, tzinfo=UTC)
    assert parse_date(aware, NEW_YORK) == aware
    assert parse_date(aware, NEW_YORK).hour == 5


@pytest.mark.parametrize("value", ["26 May Jan 2023", "yesterday", "2023-13-01", "", "Sept 3 2023"])
def test_anything_else_is_an_error(value: str) -> None:
    with pytest.raises(DateFormatError, match="cannot read the date"):
        parse_date(value, NEW_YORK)


def test_a_number_is_not_a_date() -> None:
    with pytest.raises(DateFormatError, match="expected a date, got int 2023"):
        parse_date(2023, NEW_YORK)


def test_numeric_day_month_dates_are_ambiguous() -> None:
    with pytest.raises(DateFormatError) as caught:
        parse_date("03/04/2023", NEW_YORK)
    assert str(caught.value) == (
        'the date "03/04/2023" is ambiguous: 3/4 is day/month in most of the world and '
        "month/day in the US; write it as 2023-04-03 or 2023-03-04"
    )
