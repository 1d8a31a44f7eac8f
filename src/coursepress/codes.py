"""The name of every diagnostic: for [check.severity] in site.toml and `coursepress: ignore`."""

from __future__ import annotations

CODES = (
    "broken-link", "missing-image", "broken-anchor", "case-mismatch", "base-path-in-link",
    "encoding", "byte-order-mark", "mojibake", "image-no-alt", "heading-skip", "empty-link",
    "vague-link-text", "unknown-language", "missing-title", "missing-date", "bad-date",
    "ambiguous-date", "unknown-key", "required-key", "front-matter", "draft", "future",
    "expired", "duplicate-url", "alias-collision", "empty-file", "math", "hidden-file",
    "markdown-in-bundle", "broken-symlink", "no-content", "link-to-unpublished", "site",
    "unknown-shortcode", "unknown-reference", "unknown-param", "hugo-config", "hugo-theme",
    "link-outside-site", "linked-folder", "case-collision", "unsafe-html",
    "link-to-private-file", "unreadable", "name-too-long", "reserved-url", "shortcode-error",
    "missing-folder", "unknown-callout", "code-option", "schedule", "release",
    "release-date", "search", "notebook", "notebook-output", "citation", "bibliography",
)  # fmt: skip
