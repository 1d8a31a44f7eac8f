"""Menus, as Hugo has them: entries from the settings (`[[menus.main]]`, with `name`, `url` or
`pageRef`, `weight`) and from front matter (`menu = "main"`, or `[menu.main]` with a `weight`
and a `name`). The `main` menu, when a site has one, is its header's navigation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from coursepress.site.course import MenuEntry
from coursepress.site.pages import Page


@dataclass(frozen=True, slots=True)
class MenuItem:
    """One link of a menu, as templates show it."""

    name: str
    url: str
    weight: int
    title: str = ""

    @property
    def external(self) -> bool:
        return "://" in self.url or self.url.startswith("//")


def build_menus(
    settings: Mapping[str, tuple[MenuEntry, ...]],
    pages: Sequence[Page],
    section_urls: Mapping[str, str],
) -> dict[str, tuple[MenuItem, ...]]:
    """Every menu, its entries in Hugo's order: by weight (entries without one last), then by
    name."""
    by_path = _page_urls(pages, section_urls)
    menus: dict[str, list[MenuItem]] = {}
    for menu, entries in settings.items():
        for entry in entries:
            url = entry.url or by_path.get(_content_path(entry.page_ref), entry.page_ref)
            menus.setdefault(menu, []).append(MenuItem(entry.name, url, entry.weight, entry.title))
    for page in pages:
        for menu, options in _front_matter_menus(page.params.get("menu", page.params.get("menus"))):
            name = options.get("name") if isinstance(options.get("name"), str) else page.link_title
            weight = options.get("weight", page.weight)
            weight = weight if isinstance(weight, int) and not isinstance(weight, bool) else 0
            menus.setdefault(menu, []).append(MenuItem(str(name), page.url, weight))
    return {
        menu: tuple(
            sorted(items, key=lambda item: (item.weight == 0, item.weight, item.name.lower()))
        )
        for menu, items in menus.items()
    }


def _front_matter_menus(value: Any) -> list[tuple[str, dict[str, Any]]]:
    """`menu = "main"`, `menu = ["main", "footer"]`, or `[menu.main]` with options."""
    if value is True:  # `menu = true`: the main menu
        return [("main", {})]
    if isinstance(value, str):
        return [(value, {})]
    if isinstance(value, list):
        return [(str(name), {}) for name in value if isinstance(name, str)]
    if isinstance(value, dict):
        return [
            (str(name), {str(k).lower(): v for k, v in (options or {}).items()})
            for name, options in value.items()
            if options is None or isinstance(options, dict)
        ]
    return []


def _page_urls(pages: Sequence[Page], section_urls: Mapping[str, str]) -> dict[str, str]:
    """A content path (`syllabus`, `posts/week1`, `posts`) → the URL of its page or section."""
    found = dict(section_urls)
    for page in pages:
        target = page.target.with_suffix("").as_posix()
        found[target.removesuffix("/index").removesuffix("/_index")] = page.url
    return found


def _content_path(page_ref: str) -> str:
    path = page_ref.strip("/")
    for suffix in (".md", "/index", "/_index"):
        path = path.removesuffix(suffix)
    return path


def navigation(
    menus: Mapping[str, tuple[MenuItem, ...]],
    declared: bool,
    lists: Sequence[tuple[str, str]],
    last: Sequence[tuple[str, str]] = (),
) -> tuple[MenuItem, ...]:
    """The header's links. A site whose settings declare a main menu (`[[menus.main]]`, as
    Hugo sites do) gets exactly that menu; any other gets its `lists` (sections, the
    schedule), the pages marked `menu = "main"`, and the `last` (tags)."""
    main = menus.get("main", ())
    if declared:
        return main
    first = (MenuItem(name, url, 0) for name, url in lists)
    return (*first, *main, *(MenuItem(name, url, 0) for name, url in last))
