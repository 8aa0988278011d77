"""A worked solution as a LaTeX fragment (amsmath): align* for the working, tabular for tables, ASCII only.

The layout is the terminal's; only the symbols differ (\\mathrm{net}_{h1}, \\delta_{o1},
\\frac{\\partial E}{\\partial w_{5}}, w_{5}^{+}). Every non-ASCII character is written as a
command, so the fragment compiles with plain pdflatex.
"""

from __future__ import annotations

import re

from .document import (Document, Equation, Figure, Group, Matrices, MatrixEquation, Note, ParameterCell, Plot,
                       Section, Table, as_prose, runs)
from ..expr import Deriv, Expr, Matrix, Param, Paren, Path, Ratio, Sum, Sym, Word
from .numbers import format_number
from .text import Writer
from .writer import ExprWriter, label_parts, typeset_in_table

GREEK = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\epsilon", "ζ": r"\zeta",
    "η": r"\eta", "θ": r"\theta", "ι": r"\iota", "κ": r"\kappa", "λ": r"\lambda", "μ": r"\mu",
    "ν": r"\nu", "ξ": r"\xi", "π": r"\pi", "ρ": r"\rho", "σ": r"\sigma", "ς": r"\varsigma",
    "τ": r"\tau", "υ": r"\upsilon", "φ": r"\phi", "χ": r"\chi", "ψ": r"\psi", "ω": r"\omega",
    "Γ": r"\Gamma", "Δ": r"\Delta", "Θ": r"\Theta", "Λ": r"\Lambda", "Ξ": r"\Xi", "Π": r"\Pi",
    "Σ": r"\Sigma", "Υ": r"\Upsilon", "Φ": r"\Phi", "Ψ": r"\Psi", "Ω": r"\Omega",
    # Capitals that look like Latin ones have no command of their own.
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Χ": "X", "ο": "o",
}
MATH_CHARS = {"−": "-", "·": r"\cdot", "×": r"\times", "∂": r"\partial", "²": "^{2}", "′": "'",
              "→": r"\to", "½": r"\tfrac{1}{2}", "⁺": "^{+}", "≤": r"\le", "≥": r"\ge", "Σ": r"\Sigma",
              "±": r"\pm", "✓": r"\surd", "✗": r"\times"}  # the marks of `check`, in plain LaTeX
TEXT_SPECIAL = {"–": "--", "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                # pdflatex's default font encoding sets these three as ¡, ¿ and a dash in text
                "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}
MATH_SPECIAL = {"\\": r"\backslash ", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                "{": r"\{", "}": r"\}", "~": r"\sim ", "^": r"\wedge "}
FUNCTIONS = {"σ": r"\sigma", "tanh": r"\tanh", "ln": r"\ln", "max": r"\max", "relu′": r"\mathrm{relu}'",
             "lrelu": r"\mathrm{lrelu}", "lrelu′": r"\mathrm{lrelu}'"}
SYMBOLS = {"eta": r"\eta", "alpha": r"\alpha", "lambda": r"\lambda", "e": "e", "E": "E",
           "E_total": r"E_{\mathrm{total}}", "E_after": r"E_{\mathrm{after}}"}
SIDE_WIDTH = 64  # plain-text characters per align* row before a long sum breaks
# A symbol is mostly a stacked fraction, narrow beside the working; a path (w1 → h1 → o1 → E)
# is set in one line, so the working beside it gets that much less room.
NARROW_SYMBOL = 8


def _char(c: str) -> str:
    """One character of a name, in math mode."""
    if c in GREEK:
        return GREEK[c] + " "
    if c in MATH_SPECIAL:
        return MATH_SPECIAL[c]
    if c in MATH_CHARS:
        return MATH_CHARS[c]
    if ord(c) > 127:
        return r"\text{?}"  # a character pdflatex cannot set; rename the neuron to print it
    return c


def name(text: str, standalone: bool = False) -> str:
    """A neuron, input or label name in math mode: i_{1} alone or h1 in a subscript, \\mathrm{Top}, \\alpha."""
    match = re.fullmatch(r"([A-Za-z]|[^\x00-\x7f])(\d+)", text)
    if match and standalone:
        return f"{_char(match[1]).strip()}_{{{match[2]}}}"
    if len(text) == 1 or match:
        return "".join(_char(c) for c in text).strip()
    letters = "".join(_char(c) for c in text).strip()
    return rf"\mathrm{{{letters}}}"


def label(text: str) -> str:
    """A parameter's label: w_{5}, \\theta_{3}, \\mathit{TF}, \\mathit{wc}_{0}; one written with its
    subscript (w_{11}, w_11) is typeset with that subscript, not printed as written."""
    head, sub = label_parts(text)
    symbol = name(head) if len(head) == 1 else rf"\mathit{{{''.join(_char(c) for c in head).strip()}}}"
    if not sub:
        return symbol
    return f"{symbol}_{{{sub if sub.isdigit() else name(sub)}}}"


def text(s: str) -> str:
    """Prose in text mode: specials escaped, Greek letters and math signs as $…$, an edge's -> as $\\to$."""
    if "->" in s:
        return r"$\to$".join(text(part) for part in s.split("->"))
    if "--" in s:  # an option's two hyphens, which TeX would set as a dash
        return "-{}-".join(text(part) for part in s.split("--"))
    out = []
    for c in s:
        if c in TEXT_SPECIAL:
            out.append(TEXT_SPECIAL[c])
        elif c in GREEK or c in MATH_CHARS:
            out.append(f"${GREEK.get(c) or MATH_CHARS[c]}$")
        elif 0xC0 <= ord(c) <= 0x17F and c.isalpha():
            out.append(c)  # é, ü, ł: LaTeX reads UTF-8 and sets these (a student named Müller)
        elif ord(c) > 127:
            out.append("?")
        elif c == "-" and out and out[-1] == "-":
            out.append("{}-")  # --questions as two hyphens, not an en dash
        else:
            out.append(c)
    return "".join(out)


class LatexWriter(ExprWriter):
    """Writes an expression tree as LaTeX math, numbers to `digits` significant figures."""

    MINUS = "-"
    ARROW = r" \to "
    PRODUCT = {"·": r" \cdot ", "×": r" \times ", "": "", "⊙": r" \odot "}
    SPACED_TIMES = r" \times "  # LaTeX spaces × itself; only the break mark matters
    OPENS = ("(", r"\left(")
    BAR_FRACTIONS = True
    ROLES = {"value": "{value}", "new": "{{{value}}}^{{+}}", "grad": r"\frac{{\partial E{k}}}{{\partial {value}}}",
             "grad_sample": r"\frac{{\partial E_d}}{{\partial {value}}}", "step": r"\Delta {value}",
             "previous": r"\Delta {value}(n-1)"}

    def number(self, x: float) -> str:
        mantissa, power = format_number(x, self.digits)
        mantissa = mantissa.replace("∞", r"\infty").replace("nan", r"\mathrm{nan}")
        return mantissa if power is None else rf"{mantissa}\times 10^{{{power}}}"

    def sym(self, s: Sym) -> str:
        k = self.sample(s.sample)
        if s.kind == "x":
            return name(s.of, standalone=True) + k
        if s.kind == "E_sample":
            return "E" + k
        if s.kind in ("net", "out"):
            return rf"\mathrm{{{s.kind}}}_{{{name(s.of)}}}{k}"
        if s.kind == "t" or (s.kind == "E" and s.of):
            return f"{s.kind}_{{{name(s.of)}}}{k}"
        if s.kind == "delta":
            return rf"\delta_{{{name(s.of)}}}{k}"
        return SYMBOLS[s.kind] + k

    def sample(self, k: int | None) -> str:
        return f"^{{({k})}}" if k else ""

    def param_value(self, p: Param) -> str:
        if p.label:
            return label(p.label)
        if p.kind == "threshold":
            return rf"\theta_{{{name(p.name)}}}"
        if p.kind == "bias":
            return f"b_{{{name(p.name)}}}"
        source, dest = p.name.split("->")
        return rf"w_{{{name(source)}\to {name(dest)}}}"

    def word(self, w: Word) -> str:
        return w.latex

    def deriv(self, d: Deriv) -> str:
        return rf"\frac{{\partial {self.write(d.of, True)}}}{{\partial {self.write(d.by, True)}}}"

    def fraction(self, r: Ratio, first: bool) -> str:
        return rf"\frac{{{self.write(_bare(r.num), True)}}}{{{self.write(_bare(r.den), True)}}}"

    def exponent(self, expr: Expr) -> str:
        return f"^{{{self.write(expr, True)}}}"

    def function(self, fn: str) -> str:
        return FUNCTIONS.get(fn, rf"\mathrm{{{text(fn)}}}")

    def escape(self, words: str) -> str:
        return text(words)

    def matrix(self, m: Matrix) -> str:
        rows = r" \\ ".join(" & ".join(self.write(e, True) for e in row) for row in m.rows)
        return rf"\begin{{bmatrix}} {rows} \end{{bmatrix}}"

    def math(self, formula: str) -> str:
        return f"${formula}$"

    def bracket(self, body: str) -> str:
        # Brackets around a fraction or a matrix grow to its height; `balanced` fixes the pairs
        # that a long line's break leaves on two rows.
        return rf"\left({body}\right)" if r"\frac{" in body or "bmatrix" in body else f"({body})"

    def cell(self, cell) -> str:
        # A plain label (w5, TF) stays the text it is in a table; one written with markup (w_{11})
        # or naming a Greek letter (theta3) is typeset.
        if isinstance(cell, ParameterCell) and cell.param.label and typeset_in_table(cell.param.label):
            return self.math(label(cell.param.label)) + text(f" ({cell.param.name})")
        return super().cell(cell)


def balanced(row: str) -> str:
    """A row of an align* whose \\left( or \\right) lost its partner to a line break: those
    become \\biggl( and \\biggr), which need none (a pair in the one row keeps growing to fit)."""
    tokens = re.split(r"(\\left\(|\\right\)|[()])", row)
    opened: list[int] = []  # the open brackets whose partner is not yet seen, by token index
    for k, token in enumerate(tokens):
        if token in ("(", r"\left("):
            opened.append(k)
        elif opened and token in (")", r"\right)"):
            opened.pop()  # a row is a piece of a nested whole: a close matches the last open
        elif token == r"\right)":
            tokens[k] = r"\biggr)"
    for k in opened:
        if tokens[k] == r"\left(":
            tokens[k] = r"\biggl("
    return "".join(tokens)


def _bare(expr: Expr) -> Expr:
    """Without its outer brackets: a fraction bar already groups."""
    return expr.inner if isinstance(expr, Paren) else expr


def render(document: Document, digits: int = 9) -> str:
    latex, plain = LatexWriter(digits), Writer(digits)
    tikz = " and \\usepackage{tikz}" if _has_figure(document.sections) else ""
    out = [f"% bpcalc worked solution; needs \\usepackage{{amsmath}}{tikz} (and \\allowdisplaybreaks for long ones)",
           f"\\subsection*{{{latex.prose(as_prose(document.title))}}}"]
    if document.conventions:
        out.append("\\noindent\\emph{" + r" $\cdot$ ".join(latex.prose(c) for c in document.conventions) + "}")
    for section in document.sections:
        out += _section(section, latex, plain)
    return "\n".join(out) + "\n"


def _has_figure(blocks) -> bool:
    return any(isinstance(b, Figure) or isinstance(b, Section) and _has_figure(b.blocks) for b in blocks)


def _section(section: Section, latex: LatexWriter, plain: Writer) -> list[str]:
    command = "subsubsection*" if section.level == 1 else "paragraph"
    out = ["", f"\\{command}{{{latex.prose(section.title)}}}"]
    if section.level != 1 and section.blocks and isinstance(section.blocks[0], Table):
        out[-1] += r"\mbox{}\par\noindent"  # a run-in heading would sit beside the table, not above it
    for block in runs(section.blocks):
        if isinstance(block, list):
            out += _align(block, latex, plain)
        elif isinstance(block, Matrices):
            rows = [row for eq in block.equations for row in matrix_rows(eq, latex, plain)]
            out += ["\\begin{align*}", *rows[:-1], rows[-1].removesuffix(r" \\"), "\\end{align*}"]
        elif isinstance(block, Note):
            out += ["", latex.prose(block.text)]
        elif isinstance(block, Table):
            out += _tabulars(block, latex, plain)
        elif isinstance(block, Plot):
            out += ["\\begin{verbatim}", *block.lines, "\\end{verbatim}"]
        elif isinstance(block, Figure):
            out += _figure(block)
        elif isinstance(block, Section):
            out += _section(block, latex, plain)
    return out


def _figure(figure: Figure) -> list[str]:
    """The figure's tikzpicture centred, its caption under it (needs \\usepackage{tikz})."""
    caption = [r"\par\smallskip", text(figure.caption)] if figure.caption else []
    return ["", r"\begin{center}", figure.tikz.rstrip("\n"), *caption, r"\end{center}"]


def _align(groups: list[Group], latex: LatexWriter, plain: Writer) -> list[str]:
    rows: list[str] = []
    paths = [len(plain(eq.symbol)) for group in groups for eq in group.equations if isinstance(eq.symbol, Path)]
    room = SIDE_WIDTH - max(0, max(paths, default=0) - NARROW_SYMBOL)  # the symbols share one column
    for g, group in enumerate(groups):
        for e, eq in enumerate(group.equations):
            rows += _rows(eq, latex, plain, room)
            last = g == len(groups) - 1 and e == len(group.equations) - 1
            if not last:
                rows[-1] += r" \\[2pt]" if e == len(group.equations) - 1 else r" \\"
    return ["\\begin{align*}", *rows, "\\end{align*}"]


def _rows(eq: Equation, latex: LatexWriter, plain: Writer, room: int = SIDE_WIDTH) -> list[str]:
    """symbol &= formula, then &= numbers = value, a long side broken at its + or ×."""
    sides: list[tuple[list[str], list[str]]] = []
    for part in (eq.formula, eq.numbers):
        if part is not None:
            sides.append((latex.chunks(part), plain.chunks(part)))
    if eq.value is not None:
        sides.append(([latex.number(eq.value)], [plain.number(eq.value)]))
    note = rf"\quad\text{{({latex.prose(eq.note)})}}" if eq.note else ""
    if not sides:
        return [f"{latex(eq.symbol)} &{note}"]
    if note:  # the note goes with the last side, so that a row breaks before both rather than run off
        tex, txt = sides[-1]
        sides[-1] = (tex[:-1] + [tex[-1] + note], txt[:-1] + [txt[-1] + plain.note(eq)])
    rows: list[str] = []
    current, width = f"{latex(eq.symbol)} &", 0
    for k, (tex, txt) in enumerate(sides):
        length = sum(len(t) for t in txt) + 3
        if k > 0 and width + length > room:
            rows.append(current + r" \\")
            current, width = "&", 0
        current += ("= " if current.endswith("&") else " = ") + tex[0]
        width += len(txt[0]) + 3
        for t_chunk, p_chunk in zip(tex[1:], txt[1:]):
            if width + len(p_chunk) > room:
                rows.append(current + r" \\")
                current, width = r"&\quad " + t_chunk.lstrip(), len(p_chunk)
            else:
                current += t_chunk
                width += len(p_chunk)
    rows.append(current)
    return [balanced(row) for row in rows]


MATRIX_ROW_WIDTH = 56  # terminal columns of a matrix row (its width laid out in text) per align* row


def matrix_rows(eq: MatrixEquation, latex: LatexWriter, plain: Writer) -> list[str]:
    """symbol &= side = side …, each row ending in \\\\; a side starts a row of its own (&= …) when
    the row would be wider than a page holds, and a sum wider than that is broken before its + and
    −, measured by the sides' width in the terminal."""
    from .boxes import layout, long_sum

    rows: list[str] = []
    indent = len(plain(eq.symbol))  # the symbols' column is as wide as the widest
    current, width = f"{latex(eq.symbol)} &", indent
    for k, side in enumerate(eq.sides):
        size = layout(side, plain).width + 3
        if k and width + size > MATRIX_ROW_WIDTH:
            rows.append(current + r" \\")
            current, width = "&", indent
        current += "= " if current.endswith("&") else " = "
        broken = long_sum(side)
        if broken is not None and indent + size > MATRIX_ROW_WIDTH:
            total, kind = broken
            for t, (sign, term) in enumerate(total.terms):
                piece = Sum(((sign, term),))
                size = layout(piece, plain).width + 3
                if t and width + size > MATRIX_ROW_WIDTH:
                    rows.append(current + r" \\")
                    current, width = r"&\quad ", indent
                if kind == "mean" and t == 0:
                    current += r"\Bigl("
                current += latex.term(sign, term, t == 0, False).lstrip() if t == 0 or current.endswith("quad ") \
                    else latex.term(sign, term, False, False)
                width += size
            if kind == "mean":
                assert isinstance(side, Ratio)
                current += r"\Bigr)/" + latex(side.den)
        else:
            current += latex(side)
            width += size
    if eq.note:
        note = rf"\quad\text{{({latex.prose(eq.note)})}}"
        if width + len(plain.prose(eq.note)) + 4 > MATRIX_ROW_WIDTH:  # a row of its own
            rows.append(current + r" \\")
            current = "&"
        current += note
    rows.append(current + r" \\")
    return rows


# A column of words with a cell longer than this (in characters) is set as a paragraph column
# that wraps, rather than one line running off the page (the sentences of `check`'s "Why").
WRAP_CELL = 50


# Plain-text characters a tabular's cells may take across the page (10pt article, 345pt): a
# wider table is split into panels, as on a terminal.
TABULAR_WIDTH = 66


def _tabulars(table: Table, latex: LatexWriter, plain: Writer) -> list[str]:
    widths = [max(len(plain.cell(c)) for c in column) for column in zip(table.header, *table.rows)]
    panels = table.panels(widths, TABULAR_WIDTH, 3)
    return [line for k, panel in enumerate(panels) for line in (["", "\\medskip"] if k else []) + _tabular(panel, latex)]


def _tabular(table: Table, latex: LatexWriter) -> list[str]:
    def column(k: int, numeric: bool) -> str:
        longest = max((len(cell) for row in table.rows if isinstance(cell := row[k], str)), default=0)
        return "r" if numeric else r"p{0.6\linewidth}" if longest > WRAP_CELL else "l"

    spec = "".join(column(k, n) for k, n in enumerate(table.numeric()))
    # In a flushleft of its own, a table starts below a run-in \\paragraph heading, not beside it.
    out = ["", "\\begin{flushleft}", "\\begin{tabular}{" + spec + "}",
           " & ".join(latex.cell(h) for h in table.header) + r" \\ \hline"]
    out += [" & ".join(latex.cell(c) for c in row) + r" \\" for row in table.rows]
    out += ["\\end{tabular}", "\\end{flushleft}"]
    return out
