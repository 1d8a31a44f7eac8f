"""Math at build time: TeX from `$...$` and `$$...$$` → MathML, which browsers typeset natively.

dollarmath (mdit-py-plugins) finds the math; a core rule converts it, where each formula's
line is known for warnings; the render rules only emit the result.
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import escape
from mdit_py_plugins.dollarmath import dollarmath_plugin

from coursepress.errors import Diagnostic

# Token types dollarmath makes, and whether each is display math.
_DISPLAY = {
    "math_inline": False,
    "math_inline_double": True,
    "math_block": True,
    "math_block_label": True,
}


def math_plugin(md: MarkdownIt) -> None:
    # No space inside the dollars and no digit after the closing one, as in Pandoc:
    # "$5 and $10" stays text.
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.core.ruler.push("typeset_math", _typeset_math)
    for kind in _DISPLAY:
        md.add_render_rule(kind, _render_math)


def _typeset_math(state: StateCore) -> None:
    for block in state.tokens:
        for token in [block, *(block.children or ())]:
            if token.type in _DISPLAY:
                token.meta["html"] = _convert(token, block, state.env)


def _convert(token: Token, block: Token, env: EnvType) -> str:
    tex = token.content.strip()
    display = _DISPLAY[token.type]
    try:
        from latex2mathml.converter import convert as latex_to_mathml  # slow to import

        return str(latex_to_mathml(tex, display="block" if display else "inline"))
    except Exception as error:  # latex2mathml raises many types; the TeX itself is the fallback
        line = block.map[0] + 1 + env.get("line_offset", 0) if block.map else None
        env.setdefault("warnings", []).append(
            Diagnostic(
                f"this formula cannot be converted to MathML ({type(error).__name__}); "
                "it is shown as TeX",
                path=env.get("path"),
                line=line,
                hint="check the braces and command names in the formula",
                code="math",
            )
        )
        return f'<code class="math-source">{escape(tex)}</code>'


def _render_math(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    html = token.meta.get("html") or str(escape(token.content))
    if token.type == "math_inline":
        return f'<span class="math inline">{html}</span>'
    if token.type == "math_inline_double":
        # Display math inside a paragraph: a <div> would be invalid there.
        return f'<span class="math display">{html}</span>'
    anchor = f' id="{escape(token.info)}"' if token.type == "math_block_label" else ""
    return f'<div class="math block"{anchor}>\n{html}\n</div>\n'
