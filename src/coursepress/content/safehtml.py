"""Safe mode (`safe_html = true`, or `--safe`): posts from contributors keep the HTML course
posts need and lose what could hurt a reader, by nh3 (the Rust `ammonia` sanitizer).

Kept: text markup, images, tables, figures, details, video and audio, MathML, code
highlighting; iframes only from YouTube and Vimeo. Removed: scripts and styles, event-handler
attributes, `style=` other than text alignment, and links to anything but web, mail and
page-relative addresses (`javascript:`, `data:`).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3

from coursepress.content.links import srcset_urls

_TEXT = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "b", "i", "u", "s",
    "del", "ins", "mark", "small", "sub", "sup", "code", "pre", "kbd", "samp", "var", "q",
    "blockquote", "cite", "abbr", "dfn", "time", "span", "div", "a", "ul", "ol", "li", "dl",
    "dt", "dd", "center", "section", "article", "aside", "header", "footer", "nav",
}  # fmt: skip
_MEDIA = {
    "img", "figure", "figcaption", "picture", "source", "video", "audio", "track", "iframe",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col",
    "details", "summary", "input",
}  # fmt: skip
_MATHML = {
    "math", "semantics", "annotation", "mrow", "mi", "mo", "mn", "ms", "mtext", "mspace",
    "msub", "msup", "msubsup", "munder", "mover", "munderover", "mfrac", "msqrt", "mroot",
    "mstyle", "mtable", "mtr", "mtd", "menclose", "mpadded", "mphantom", "merror",
    "mmultiscripts", "mprescripts", "none", "mlabeledtr",
}  # fmt: skip
TAGS = _TEXT | _MEDIA | _MATHML
ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir", "style"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height", "loading", "srcset", "sizes"},
    "source": {"src", "srcset", "type", "media", "sizes"},
    "video": {"src", "controls", "width", "height", "poster", "loop", "muted", "preload"},
    "audio": {"src", "controls", "loop", "muted", "preload"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "iframe": {"src", "width", "height", "allowfullscreen", "loading"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "details": {"open"},
    "input": {"type", "checked", "disabled", "aria-label"},  # a task list's checkbox
    "time": {"datetime"},
    "abbr": set(),
    "math": {"xmlns", "display", "alttext"},
    **{
        tag: {"mathvariant", "stretchy", "accent", "width", "height", "depth", "lspace",
              "rspace", "fence", "separator", "columnalign", "rowalign", "linethickness",
              "notation", "encoding", "displaystyle", "scriptlevel", "movablelimits",
              # what KaTeX writes
              "rowspacing", "columnspacing", "rowlines", "columnlines", "frame",
              "framespacing", "mathcolor", "mathbackground", "mathsize", "minsize", "maxsize",
              "symmetric", "largeop", "form", "voffset", "accentunder", "bevelled", "side"}
        for tag in _MATHML - {"math"}
    },
}  # fmt: skip
SCHEMES = {"http", "https", "mailto"}
VIDEO_HOSTS = {
    "www.youtube.com", "youtube.com", "www.youtube-nocookie.com", "player.vimeo.com",
}  # fmt: skip
_URL_ATTRIBUTES = {"href", "src", "srcset", "poster"}


def sanitize(html: str) -> str:
    """The HTML with everything outside the allow-list removed; an iframe whose address was
    removed goes with it, rather than stay as an empty frame."""
    clean = _allowed_only(html)
    return _EMPTY_IFRAME.sub("", clean) if "<iframe" in clean else clean


def _allowed_only(html: str) -> str:
    return str(
        nh3.clean(
            html,
            tags=TAGS,
            clean_content_tags={"script", "style"},
            attributes=ATTRIBUTES,
            attribute_filter=_attribute_filter,
            url_schemes=SCHEMES,
            filter_style_properties={"text-align"},
            link_rel=None,
            strip_comments=False,
        )
    )


# nh3 writes tags in one form (`<iframe width="560"></iframe>`), so its output can be matched.
_EMPTY_IFRAME = re.compile(r"<iframe(?![^>]*\ssrc=)[^>]*>\s*</iframe>")


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    if tag == "input" and name == "type":
        return "checkbox"  # a task list's checkbox is the one input a post may show
    if tag == "iframe" and name == "src":
        return value if _video_address(value) else None
    if name == "srcset":  # nh3 checks the schemes of single addresses only
        return value if all(_allowed(url) for url in srcset_urls(value)) else None
    return value


def _allowed(url: str) -> bool:
    scheme = urlsplit(url.strip()).scheme.lower()
    return not scheme or scheme in SCHEMES


def _video_address(url: str) -> bool:
    """An https address on an allowed video host, written plainly: browsers read `\\` as `/`
    and skip control characters, so an address with either, or with a user part, could lead
    elsewhere than Python reads it."""
    if any(char in url for char in "\\@") or any(ord(char) <= 32 for char in url):
        return False
    parts = urlsplit(url)
    return parts.scheme == "https" and parts.hostname in VIDEO_HOSTS


def removals(fragment: str) -> list[str]:
    """What safe mode takes out of one piece of raw HTML, said plainly: `<script>`, `the
    onclick attribute of <img>`, `the link javascript:alert(1)`."""
    # Compared before empty frames go: a frame goes because its address did, which says why.
    before, after = _Inventory.of(fragment), _Inventory.of(_allowed_only(fragment))
    kept = set(after.tags)
    found = [f"<{tag}>" for tag in before.tags if tag not in kept]
    for tag, name, value in before.attributes:
        if (tag, name, value) in after.attributes or f"<{tag}>" in found:
            continue
        if name in _URL_ATTRIBUTES and value:
            shown = value if len(value) <= 40 else value[:37] + "..."
            found.append(f"the {'link' if name == 'href' else 'address'} {shown}")
        else:
            found.append(f"the {name} attribute of <{tag}>")
    return list(dict.fromkeys(found))


class _Inventory(HTMLParser):
    """The tags and (tag, attribute, value) triples of a piece of HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: dict[str, None] = {}
        self.attributes: set[tuple[str, str, str]] = set()

    @classmethod
    def of(cls, html: str) -> _Inventory:
        inventory = cls()
        inventory.feed(html)
        inventory.close()
        return inventory

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.setdefault(tag, None)  # in order, each once, in constant time
        for name, value in attrs:
            self.attributes.add((tag, name, value or ""))
