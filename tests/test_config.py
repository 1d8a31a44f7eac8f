"""site.toml → Config: defaults, validation, suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest

from coursepress.config import Config, load_config
from coursepress.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "site.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_no_site_toml_gives_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config == Config()
    assert config.base_path == "/"
    assert config.timezone == "UTC"


def test_values_are_read_and_base_url_gets_a_slash(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            'title = "ML"\nbase_url = "https://org.github.io/course"\ntimezone = "Europe/Berlin"\n'
            '[permalinks]\nposts = "/:year/:slug/"\n[params]\nterm = "Fall"\n',
        )
    )
    assert config.title == "ML"
    assert config.base_url == "https://org.github.io/course/"
    assert config.base_path == "/course/"
    assert config.zone.key == "Europe/Berlin"
    assert dict(config.permalinks) == {"posts": "/:year/:slug/"}
    assert config.params["term"] == "Fall"


def test_base_url_option_overrides_the_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'base_url = "/"\n'), base_url="https://x.org/a/")
    assert config.base_path == "/a/"


def test_a_bad_base_url_option_is_blamed_on_the_option(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, base_url="example.com/course")
    assert str(caught.value.path) == "--base-url"
    assert caught.value.message == (
        "Config value 'base_url': 'example.com/course' is not a web address"
    )


@pytest.mark.parametrize(
    "text,message,line,hint",
    [
        ("tittle = 'x'\n", "unknown key 'tittle'", 1, "did you mean 'title'?"),
        ("\n\nbaseurl = 'x'\n", "unknown key 'baseurl'", 3, "did you mean 'base_url'?"),
        ("title = 3\n", "Config value 'title': expected text, got a number", 1, "double quotes"),
        ("params = 3\n", "Config value 'params': expected a table, got a number", 1, "[params]"),
        (
            "[permalinks]\nposts = '/:yr/'\n",
            "Config value 'permalinks.posts': unknown token ':yr'",
            2,
            ":section :sections :slug",
        ),
        (
            "base_url = 'ftp://x'\n",
            "Config value 'base_url': 'ftp://x' is not a web address",
            1,
            "",
        ),
        ("title = 'x\n", "invalid TOML: the line ends inside quoted text", 1, "closing quote"),
        (
            "title = 'x'\nstatic_dirs = ['static', '../shared']\n",
            "Config value 'static_dirs': '../shared' is not a folder inside the site folder, "
            "written relative to it",
            2,
            'name a folder such as "static" or "docs"',
        ),
        (
            "static_dirs = ['.git']\n",
            "Config value 'static_dirs': '.git' is not a folder that is not hidden (its name does "
            "not start with '.')",
            1,
            "",
        ),
        (
            "[publish]\ndocs = '/docs/'\ncontent = '/raw/'\n",
            "Config value 'publish.content': 'content' is not a folder outside content/, whose "
            "files are sources and not published",
            3,
            "",
        ),
        (
            "[publish]\ndocs = '/../content/posts/'\n",
            "Config value 'publish.docs': expected a URL path starting with /, got "
            "'/../content/posts/'",
            2,
            'for example docs = "/docs/" (no "." or ".." parts)',
        ),
        (
            "static_dirs = ['Content/posts']\n",
            "Config value 'static_dirs': 'Content/posts' is not a folder outside Content/, whose "
            "files are sources and not published",
            1,
            "",
        ),
        (
            "cache_dir = 'docs/cache'\nstatic_dirs = ['static', 'docs']\n",
            "Config value 'cache_dir': 'docs/cache' is inside 'docs', which is published as it "
            "is; the cache holds the text of drafts",
            None,
            "keep the cache out of the published folders",
        ),
        (
            "[publish]\n\ndocs = 'docs'\n",
            "Config value 'publish.docs': expected a URL path starting with /, got 'docs'",
            3,
            'for example docs = "/docs/"',
        ),
        (
            "term_start = 2023-08-28\nskip_weeks = [{ date = 2023-10-09, lable = 'Break' }]\n",
            "Config value 'skip_weeks': unknown key 'lable'",
            2,
            "a date and a label",
        ),
    ],
)
def test_mistakes_name_the_line(
    tmp_path: Path, text: str, message: str, line: int, hint: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    error = caught.value
    assert (str(error.path), error.line, error.message) == (f"{tmp_path}/site.toml", line, message)
    assert hint in (error.hint or "")


@pytest.mark.parametrize(
    "written,normalized",
    [
        ("https://example.github.io//course", "https://example.github.io/course/"),
        ("https://example.github.io:8443/a/b", "https://example.github.io:8443/a/b/"),
        ("/course", "/course/"),
    ],
)
def test_base_url_is_normalized(tmp_path: Path, written: str, normalized: str) -> None:
    assert load_config(write(tmp_path, f'base_url = "{written}"\n')).base_url == normalized


def test_a_protocol_relative_base_url_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not a web address"):
        load_config(write(tmp_path, 'base_url = "//cdn.example.com/x/"\n'))


def test_a_custom_domain_gives_a_site_without_host_its_address(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'cname = "course.example.edu"\n'))
    assert config.base_url == "https://course.example.edu/"
    assert config.has_host
    assert not load_config(tmp_path / "nowhere").has_host
