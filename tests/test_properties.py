"""Any post a contributor writes either builds or fails with a coursepress error that names the
file: never another exception, never a hang. Property tests (hypothesis) over front matter
and Markdown, run through the real build in this process.

The suite runs a time-boxed profile; a longer search is one command:

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_properties.py
"""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coursepress.build import BuildOptions, build
from coursepress.errors import BuildFailed, SiteError

settings.register_profile(
    "suite", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("long", max_examples=3000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))

POST = "content/posts/p.md"
SECONDS_PER_BUILD = 30
"""A build of one small post that takes longer than this has hung."""

KEYS = [
    "title", "date", "lastmod", "publishDate", "expiryDate", "draft", "slug", "url", "summary",
    "description", "linkTitle", "tags", "categories", "authors", "author", "weight", "aliases",
    "week", "lecture", "toc", "menu", "params", "Title", "DATE",
]  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.dates(min_value=datetime(1, 1, 1).date())
    | st.datetimes(timezones=st.just(UTC) | st.none())
    | st.sampled_from(["03 Sep 2023", "2023-09-03", "09/03/2023", "Sep 3, 2023", "/../x", ".."])
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
MARKDOWN_PIECES = st.sampled_from(
    [
        "# Heading\n", "## \n", "text ", "*em* ", "**bold** ", "[link](../x/) ", "![img](a.png)",
        "[^1]", "\n[^1]: note\n", "$x_i$", "$$\n\\frac{a}{b}\n$$\n", "$", "\\$", "```python\n",
        "```\n", "```nosuchlang\n", "<div>", "</div>", "<img src=x>", "<!--more-->\n",
        "| a | b |\n|---|---|\n| 1 | 2 |\n", "> quote\n", "- item\n", "1. one\n",
        "{{< figure src=\"a.png\" >}}",
        "{{< ref \"nowhere.md\" >}}", "{{< details >}}", "{{< /details >}}", "{{</* x */>}}",
        "{{% param \"a\" %}}", "www.example.org ", "a@b.co ", "\t", "\n\n", "+++\n", "---\n",
        "\ufeff", "\x00", "é", "\u202e",
    ]
)  # fmt: skip
BODIES = st.lists(MARKDOWN_PIECES | st.text(max_size=30), max_size=30).map("".join)


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def hung(signum: int, frame: object) -> None:
        raise TimeoutError(f"the build took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def build_post(text: str | bytes) -> None:
    """Build a site with one post; only a clean answer may come out."""
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch)
        post = site / POST
        post.parent.mkdir(parents=True)
        if isinstance(text, bytes):
            post.write_bytes(text)
        else:
            post.write_text(text, encoding="utf-8", errors="surrogatepass")
        options = BuildOptions(site_dir=site, output_dir=site / "public", jobs=1, cache=False)
        try:
            with time_limit(SECONDS_PER_BUILD):
                build(options)
        except BuildFailed as failure:
            assert failure.errors
            for error in failure.errors:
                assert str(error.path).endswith("p.md"), error.format()
        except SiteError as error:
            assert str(error.path).endswith(("p.md", "public/")), error.format()


def toml_front_matter(values: dict[str, Any]) -> str:
    try:
        return tomli_w.dumps(values)
    except (TypeError, ValueError):  # what TOML cannot hold (None, mixed lists)
        return "".join(f"{key} = {value!r}\n" for key, value in values.items())


@given(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6), BODIES)
def test_any_toml_front_matter_and_markdown(values: dict[str, Any], body: str) -> None:
    build_post(f"+++\n{toml_front_matter(values)}+++\n\n{body}\n")


@given(st.text(max_size=300), BODIES, st.sampled_from(["+++", "---"]))
def test_any_text_as_front_matter(front: str, body: str, fence: str) -> None:
    build_post(f"{fence}\n{front}\n{fence}\n{body}")


@given(st.binary(max_size=400))
def test_any_bytes_as_a_post(data: bytes) -> None:
    build_post(data)
