"""A worked solution as one self-contained HTML page: formulas in MathML, tables, pictures and CSS inline, nothing fetched.

The layout is the terminal's and LaTeX's (render/writer.py); only the symbols differ: MathML
Core elements (<mfrac> for a fraction bar, <msub>/<msup> for sub- and superscripts), which
Chromium, Firefox and Safari draw without a script or a web font. The page is written as
XHTML-compatible HTML5 (every element closed, attributes quoted, no named entities but XML's),
so an XML parser reads it after the doctype; it holds no URL, so it reads the same offline.
"""

from __future__ import annotations

import re
from html import escape as _escape

from .document import Document, Equation, Figure, Group, Note, ParameterCell, Plot, Section, Table, as_prose
from ..expr import Call, Deriv, Expr, Neg, Num, Param, Paren, Path, Pow, Prod, Ratio, Sum, Sym, Word
from .numbers import format_number
from .text import Writer
from .writer import ExprWriter, label_parts, typeset_in_table

SYMBOLS = {"eta": "η", "alpha": "α", "lambda": "λ", "e": "e", "E": "E"}
SUBSCRIPTED = {"E_total": "total", "E_after": "after"}  # E with a word below
# The fixed pieces of notation (expr.Word), by their text spelling; any other is set as text.
WORDS = {"½": '<mfrac displaystyle="false"><mn>1</mn><mn>2</mn></mfrac>',  # as \tfrac: text-sized
         "Σw²": "<mo>Σ</mo><msup><mi>w</mi><mn>2</mn></msup>",
         "Σw·x": "<mo>Σ</mo><mi>w</mi><mo>·</mo><mi>x</mi>"}
# The expressions typeset here; any other is shown as the text writer spells it.
TYPESET = (Sym, Param, Num, Word, Deriv, Sum, Prod, Neg, Paren, Ratio, Pow, Call, Path)
UPRIGHT = '<mi mathvariant="normal">{}</mi>'  # a single letter set upright, as Δ and ∂ are
FALLBACK_WIDTH = 100  # columns of the plain-text writer's lines for a block this page cannot typeset


def escape(text: str) -> str:
    """Text as HTML (and XML) shows it literally."""
    return _escape(text, quote=True)


TOKEN = re.compile(r"<(mi|mn|mo)( [^>]*)?>[^<]*</\1>")


def one(mathml: str) -> str:
    """MathML as one element (a script's base, a fraction's numerator): an <mrow> round it
    unless it is a single token already."""
    return mathml if TOKEN.fullmatch(mathml) else f"<mrow>{mathml}</mrow>"


def script(base: str, sub: str = "", sup: str = "") -> str:
    """`base` with a subscript and/or a superscript (each already MathML, or empty)."""
    if sub and sup:
        return f"<msubsup>{one(base)}{one(sub)}{one(sup)}</msubsup>"
    if sub:
        return f"<msub>{one(base)}{one(sub)}</msub>"
    if sup:
        return f"<msup>{one(base)}{one(sup)}</msup>"
    return base


def name(text: str) -> str:
    """A neuron's or input's name inside a subscript: h1, setosa."""
    return "".join(standalone(text))


def standalone(text: str) -> tuple[str, str]:
    """A name standing alone as its letter and subscript: i1 is i₁; a longer name is set upright."""
    match = re.fullmatch(r"([A-Za-z]|[^\x00-\x7f])(\d+)", text)
    if match:
        return f"<mi>{escape(match[1])}</mi>", f"<mn>{match[2]}</mn>"
    return f"<mi>{escape(text)}</mi>", ""


def number_text(x: float, digits: int) -> str:
    """A number outside a formula (a table cell): as the text writer prints it, a power of ten raised."""
    mantissa, power = format_number(x, digits)
    return escape(mantissa) + (f"×10<sup>{power}</sup>" if power is not None else "")


class MathWriter(ExprWriter):
    """Writes an expression tree as MathML Core (the content of a <math> element)."""

    MINUS = "<mo>−</mo>"
    PLUS = "<mo>+</mo>"
    SLASH = "<mo>/</mo>"
    COMMA = "<mo>,</mo>"
    ARROW = "<mo>→</mo>"
    PRODUCT = {"·": "<mo>·</mo>", "×": "<mo>×</mo>", "": ""}
    SPACED_TIMES = "<mo>×</mo>"
    OPENS = ("<mrow><mo>(</mo>", '<mrow><mo stretchy="false">(</mo>')
    BAR_FRACTIONS = True

    def __init__(self, digits: int = 9):
        super().__init__(digits)
        self.plain = Writer(digits)

    def write(self, expr: Expr, first: bool = False, top: bool = False) -> str:
        if not isinstance(expr, TYPESET):  # a kind of formula with no MathML here yet: never lost
            return f"<mtext>{escape(self.plain.write(expr, first, top))}</mtext>"
        return super().write(expr, first, top)

    def number(self, x: float) -> str:
        # The digits are the text writer's (a minus as -), so that a number copied from the page pastes.
        mantissa, power = format_number(x, self.digits)
        mn = f"<mn>{escape(mantissa)}</mn>"
        return mn if power is None else f"<mrow>{mn}<mo>×</mo><msup><mn>10</mn><mn>{power}</mn></msup></mrow>"

    def sym(self, s: Sym) -> str:
        k = self.sample(s.sample)
        if s.kind == "x":
            return script(*standalone(s.of), k)
        if s.kind == "E_sample":
            return script("<mi>E</mi>", sup=k)
        if s.kind in ("net", "out"):
            return script(f"<mi>{s.kind}</mi>", name(s.of), k)
        if s.kind == "t" or (s.kind == "E" and s.of):
            return script(f"<mi>{s.kind}</mi>", name(s.of), k)
        if s.kind == "delta":
            return script("<mi>δ</mi>", name(s.of), k)
        if s.kind in SUBSCRIPTED:
            return script("<mi>E</mi>", f"<mi>{SUBSCRIPTED[s.kind]}</mi>", k)
        return script(f"<mi>{escape(SYMBOLS.get(s.kind, s.kind))}</mi>", sup=k)

    def sample(self, k: int | None) -> str:
        return f'<mo stretchy="false">(</mo><mn>{k}</mn><mo stretchy="false">)</mo>' if k else ""

    def _parts(self, p: Param) -> tuple[str, str]:
        """A parameter's letter and subscript: w and 5 for w5, w and h1→o1 for an unlabelled weight."""
        if p.label:
            head, sub = label_parts(p.label)
            return f"<mi>{escape(head)}</mi>", (f"<mn>{sub}</mn>" if sub.isdigit() else name(sub) if sub else "")
        if p.kind == "threshold":
            return "<mi>θ</mi>", name(p.name)
        if p.kind == "bias":
            return "<mi>b</mi>", name(p.name)
        source, dest = p.name.split("->")
        return "<mi>w</mi>", f"{name(source)}<mo>→</mo>{name(dest)}"

    def param_value(self, p: Param) -> str:
        return script(*self._parts(p))

    def param(self, p: Param) -> str:
        value = self.param_value(p)
        if p.role == "value":
            return value
        if p.role == "new":
            return script(*self._parts(p), "<mo>+</mo>")
        if p.role == "grad":
            return self._partial(script("<mi>E</mi>", sup=self.sample(p.sample)), value)
        if p.role == "grad_sample":
            return self._partial(script("<mi>E</mi>", "<mi>d</mi>"), value)
        if p.role == "step":
            return UPRIGHT.format("Δ") + value
        if p.role == "previous":
            return UPRIGHT.format("Δ") + value + self.bracket("<mi>n</mi><mo>−</mo><mn>1</mn>")
        raise ValueError(p.role)

    def _partial(self, of: str, by: str) -> str:
        d = UPRIGHT.format("∂")
        return f"<mfrac><mrow>{d}{of}</mrow><mrow>{d}{by}</mrow></mfrac>"

    def word(self, w: Word) -> str:
        return WORDS.get(w.text) or f"<mtext>{escape(w.text)}</mtext>"

    def deriv(self, d: Deriv) -> str:
        return self._partial(self.write(d.of, True), self.write(d.by, True))

    def fraction(self, r: Ratio, first: bool) -> str:
        return f"<mfrac>{one(self.write(_bare(r.num), True))}{one(self.write(_bare(r.den), True))}</mfrac>"

    def exponent(self, expr: Expr) -> str:
        return self.write(expr, True)

    def power(self, base: str, exp: Expr) -> str:
        return script(base, sup=self.exponent(exp))

    def function(self, fn: str) -> str:
        return f"<mi>{escape(fn)}</mi>"

    def bracket(self, body: str) -> str:
        # Brackets around a fraction stretch to its height (an <mrow> of their own says how
        # high); others keep the text's size, as LaTeX's \left( and ( do.
        if "<mfrac" in body:
            return f"<mrow><mo>(</mo>{body}<mo>)</mo></mrow>"
        return f'<mrow><mo stretchy="false">(</mo>{body}<mo stretchy="false">)</mo></mrow>'

    def escape(self, words: str) -> str:
        return escape(words)

    def math(self, formula: str) -> str:
        return f"<math>{formula}</math>"

    def cell(self, cell) -> str:
        if isinstance(cell, ParameterCell) and cell.param.label and typeset_in_table(cell.param.label):
            return self.math(self.param_value(cell.param)) + escape(f" ({cell.param.name})")
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            return number_text(float(cell), self.digits)
        return super().cell(cell)

    def pieces(self, expr: Expr) -> list[str]:
        """The expression cut where a narrow page may wrap it: before each + or − of a sum at
        its top, or before each × of a top-level product of numbers or derivatives. Each piece
        is whole MathML (a bracket is never cut), written as a <math> of its own."""
        if isinstance(expr, Sum) and not expr.tight and len(expr.terms) > 1:
            cut = [self.term(sign, t, k == 0, False) for k, (sign, t) in enumerate(expr.terms)]
        elif isinstance(expr, Prod) and expr.op == "×" and len(expr.factors) > 1:
            cut = [("" if k == 0 else self.SPACED_TIMES) + self.factor(f, k == 0) for k, f in enumerate(expr.factors)]
        else:
            return [self(expr)]
        # An operator that starts a piece is still between two terms: spaced as one.
        return [cut[0]] + [re.sub(r"^\s*<mo>", '<mo form="infix">', piece) for piece in cut[1:]]


def _bare(expr: Expr) -> Expr:
    """Without its outer brackets: a fraction bar already groups."""
    return expr.inner if isinstance(expr, Paren) else expr


def render(document: Document, digits: int = 9) -> str:
    """The whole page."""
    math, plain = MathWriter(digits), Writer(digits)
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8"/>',
           '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
           '<meta name="generator" content="bpcalc"/>',
           f"<title>{escape(plain.prose(as_prose(document.title)))}</title>",
           f"<style>{STYLE}</style>", "</head>", "<body>", "<main>",
           f"<h1>{math.prose(as_prose(document.title))}</h1>"]
    if document.conventions:
        out += ['<ul class="conventions">', *(f"<li>{math.prose(c)}</li>" for c in document.conventions), "</ul>"]
    for section in document.sections:
        out += _section(section, math, digits, 2)
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _section(section: Section, math: MathWriter, digits: int, level: int) -> list[str]:
    h = f"h{min(level, 6)}"
    out = ["<section>", f"<{h}>{math.prose(section.title)}</{h}>"]
    for block in section.blocks:
        if isinstance(block, Group):
            out += _group(block, math)
        elif isinstance(block, Note):
            out.append(f'<p class="note">{math.prose(block.text)}</p>')
        elif isinstance(block, Table):
            out += _table(block, math)
        elif isinstance(block, Plot):
            lines = "\n".join(block.lines)
            out.append(f'<pre class="plot">{escape(lines)}</pre>')
        elif isinstance(block, Figure):
            out += _figure(block)
        elif isinstance(block, Section):
            out += _section(block, math, digits, level + 1)
        else:  # a block this page does not typeset yet: shown as the plain-text writer writes it
            from .terminal import block_lines

            text = "\n".join(line for line, _ in block_lines(block, FALLBACK_WIDTH, digits))
            out.append(f'<pre class="fallback">{escape(text)}</pre>')
    out.append("</section>")
    return out


def _group(group: Group, math: MathWriter) -> list[str]:
    """symbol = formula = numbers = value, one grid row each, the = signs aligned; on a narrow
    page each equation is a paragraph of its own that wraps before an = or at a + or ×."""
    out = ['<div class="group">']
    for eq in group.equations:
        out.append(f'<div class="eq"><div class="sym"><math displaystyle="true">{math(eq.symbol)}</math></div>'
                   f'<div class="rhs">{" ".join(_sides(eq, math))}</div></div>')
    out.append("</div>")
    return out


def _sides(eq: Equation, math: MathWriter) -> list[str]:
    sides = []
    for part in (eq.formula, eq.numbers):
        if part is not None:
            pieces = math.pieces(part)
            pieces[0] = f"<mo>=</mo><mrow>{pieces[0]}</mrow>"  # a leading − is a sign, not a subtraction
            sides.append('<span class="side">'
                         + "<wbr/>".join(f'<math displaystyle="true">{p}</math>' for p in pieces) + "</span>")
    if eq.value is not None:
        sides.append(f'<span class="side value"><math displaystyle="true"><mo>=</mo>{math.number(eq.value)}'
                     "</math></span>")
    if eq.note:
        sides.append(f'<span class="aside">({math.prose(eq.note)})</span>')
    return sides


def _table(table: Table, math: MathWriter) -> list[str]:
    numeric = table.numeric()

    def row(cells, tag: str) -> str:
        return "<tr>" + "".join(f'<{tag} class="num">{math.cell(c)}</{tag}>' if is_number else
                                f"<{tag}>{math.cell(c)}</{tag}>" for c, is_number in zip(cells, numeric)) + "</tr>"

    return (['<div class="table"><table>', "<thead>", row(table.header, "th"), "</thead>", "<tbody>"]
            + [row(r, "td") for r in table.rows] + ["</tbody>", "</table></div>"])


def _figure(figure: Figure) -> list[str]:
    caption = f"<figcaption>{escape(figure.caption)}</figcaption>" if figure.caption else ""
    return ['<figure class="figure">', inline_svg(figure.svg), caption, "</figure>"]


def inline_svg(svg: str) -> str:
    """A standalone SVG file's <svg> element, to set inside the page: without its XML declaration
    or doctype, and without the namespace declarations that an <svg> inside HTML does not need."""
    start = svg.find("<svg")
    if start < 0:
        raise ValueError("a figure's SVG has no <svg> element")
    element = svg[start:].rstrip()
    head_end = element.index(">")
    head = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", element[:head_end])
    return head + element[head_end:]


# Light on white for a screen and for paper alike; the working scrolls inside its own box on a
# narrow screen rather than widen the page; no group or table is split over two printed pages.
STYLE = """
:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #1b1b1b;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 62rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.5rem; margin: .5rem 0 .75rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; padding-bottom: .2rem; border-bottom: 1px solid #ccc; }
h3, h4, h5, h6 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
math { font-family: math, "STIX Two Math", "Cambria Math", "Latin Modern Math", "DejaVu Math TeX Gyre", serif;
  font-size: 1.1em; }
.conventions { margin: 0 0 1rem; padding: .5rem .8rem .5rem 1.8rem; border-left: 3px solid #999;
  color: #333; font-size: .95rem; }
.conventions li { margin: .1rem 0; }
.group { display: grid; grid-template-columns: max-content minmax(0, 1fr); column-gap: .35em;
  row-gap: .45em; align-items: baseline; margin: .9rem 0; padding: .2rem 0; overflow-x: auto;
  break-inside: avoid; }
.eq { display: contents; }
.sym { text-align: right; white-space: nowrap; }
.rhs { min-width: 0; overflow-x: auto; overflow-y: hidden; padding: .15em 0 .15em 1.2em; text-indent: -1.2em; }
.aside { color: #555; font-style: italic; font-size: .9em; }
.note { margin: .6rem 0; }
.table { overflow-x: auto; margin: .8rem 0; break-inside: avoid; }
table { border-collapse: collapse; }
th, td { padding: .25rem .7rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: baseline;
  white-space: nowrap; }
th { border-bottom: 2px solid #999; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
pre { width: max-content; max-width: 100%; box-sizing: border-box; overflow-x: auto; font: .85rem/1.3 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  padding: .5rem; border: 1px solid #ddd; }
figure { margin: 1rem 0; overflow-x: auto; break-inside: avoid; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: .9rem; color: #444; margin-top: .3rem; }
@media (max-width: 40rem) {
  main { padding: .75rem .75rem 2rem; }
  .group { display: block; overflow-x: visible; }
  .eq { display: block; margin: .35em 0; padding-left: 1.2em; text-indent: -1.2em; }
  .sym, .rhs { display: inline; }
  .rhs { padding: 0; text-indent: 0; }
}
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h1, h2, h3, h4, h5, h6 { break-after: avoid; }
  .group, .table, table, figure, pre, .note { break-inside: avoid; }
  .group, .table, .rhs, pre, figure { overflow: visible; }
}
"""
