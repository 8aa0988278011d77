"""A worked solution as a LaTeX fragment (amsmath): align* for the working, tabular for tables, ASCII only.

The layout is the terminal's; only the symbols differ (\\mathrm{net}_{h1}, \\delta_{o1},
\\frac{\\partial E}{\\partial w_{5}}, w_{5}^{+}). Every non-ASCII character is written as a
command, so the fragment compiles with plain pdflatex.
"""

from __future__ import annotations

import re

from .document import Document, Equation, Group, Note, Plot, Prose, Section, Table
from .expr import Call, Deriv, Expr, Neg, Num, Param, Paren, Path, Pow, Prod, Ratio, Sum, Sym, Word
from .numbers import format_number
from .text import Writer

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
              "→": r"\to", "½": r"\tfrac{1}{2}", "⁺": "^{+}", "≤": r"\le", "≥": r"\ge", "Σ": r"\Sigma"}
TEXT_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
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
    """A parameter's label: w_{5}, \\mathit{TF}, \\mathit{wc}_{0}."""
    match = re.fullmatch(r"([A-Za-z]+)(\d+)", text)
    if match:
        head = match[1] if len(match[1]) == 1 else rf"\mathit{{{match[1]}}}"
        return f"{head}_{{{match[2]}}}"
    if len(text) == 1:
        return name(text)
    return rf"\mathit{{{''.join(_char(c) for c in text).strip()}}}"


def text(s: str) -> str:
    """Prose in text mode: specials escaped, Greek letters and math signs as $…$, an edge's -> as $\\to$."""
    if "->" in s:
        return r"$\to$".join(text(part) for part in s.split("->"))
    out = []
    for c in s:
        if c in TEXT_SPECIAL:
            out.append(TEXT_SPECIAL[c])
        elif c in GREEK or c in MATH_CHARS:
            out.append(f"${GREEK.get(c) or MATH_CHARS[c]}$")
        elif ord(c) > 127:
            out.append("?")
        else:
            out.append(c)
    return "".join(out)


def _sample(k: int | None) -> str:
    return f"^{{({k})}}" if k else ""


class LatexWriter:
    """Writes an expression tree as LaTeX math, numbers to `digits` significant figures."""

    def __init__(self, digits: int = 9):
        self.digits = digits
        self.mark = ""

    def __call__(self, expr: Expr) -> str:
        return self.write(expr, first=True)

    def number(self, x: float) -> str:
        mantissa, power = format_number(x, self.digits)
        mantissa = mantissa.replace("∞", r"\infty").replace("nan", r"\mathrm{nan}")
        return mantissa if power is None else rf"{mantissa}\times 10^{{{power}}}"

    def sym(self, s: Sym) -> str:
        k = _sample(s.sample)
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

    def param(self, p: Param) -> str:
        if p.label:
            value = label(p.label)
        elif p.is_bias:
            value = f"b_{{{name(p.name)}}}"
        else:
            source, dest = p.name.split("->")
            value = rf"w_{{{name(source)}\to {name(dest)}}}"
        if p.role == "value":
            return value
        if p.role == "new":
            return f"{{{value}}}^{{+}}"
        if p.role == "grad":
            return rf"\frac{{\partial E{_sample(p.sample)}}}{{\partial {value}}}"
        if p.role == "grad_sample":
            return rf"\frac{{\partial E_d}}{{\partial {value}}}"
        if p.role == "step":
            return rf"\Delta {value}"
        if p.role == "previous":
            return rf"\Delta {value}(n-1)"
        raise ValueError(p.role)

    def write(self, expr: Expr, first: bool = False, top: bool = False) -> str:
        w = self.write
        if isinstance(expr, Num):
            text_ = self.number(expr.value)
            return text_ if first or not text_.startswith("-") else f"({text_})"
        if isinstance(expr, Sym):
            return self.sym(expr)
        if isinstance(expr, Param):
            return self.param(expr)
        if isinstance(expr, Word):
            return expr.latex
        if isinstance(expr, Deriv):
            return self.quiet(lambda: rf"\frac{{\partial {w(expr.of, True)}}}{{\partial {w(expr.by, True)}}}")
        if isinstance(expr, Sum):
            return "".join(self.term(sign, t, k == 0, expr.tight) for k, (sign, t) in enumerate(expr.terms))
        if isinstance(expr, Prod):
            op = {"·": r" \cdot ", "×": r" \times ", "": ""}[expr.op]
            if top and expr.op == "×":
                op = self.mark + op  # (LaTeX spaces × itself; only the break mark matters)
            return op.join(self.factor(f, first and k == 0) for k, f in enumerate(expr.factors))
        if isinstance(expr, Neg):
            if isinstance(expr.inner, Prod) and expr.inner.op == "·":
                return "-" + self.write(expr.inner)
            return "-" + self.atom(expr.inner)
        if isinstance(expr, Paren):
            return f"({w(expr.inner, True)})"
        if isinstance(expr, Ratio):
            if isinstance(expr.num, Paren):  # (a + b + …)/n stays inline so a long sum can break
                return f"{self.atom(expr.num, first)}/{self.atom(expr.den)}"
            return self.quiet(lambda: rf"\frac{{{w(_bare(expr.num), True)}}}{{{w(_bare(expr.den), True)}}}")
        if isinstance(expr, Pow):
            return self.quiet(lambda: f"{self.atom(expr.base, first, power=True)}^{{{w(expr.exp, True)}}}")
        if isinstance(expr, Call):
            fn = FUNCTIONS.get(expr.fn, rf"\mathrm{{{text(expr.fn)}}}")
            return self.quiet(lambda: f"{fn}({', '.join(w(a, True) for a in expr.args)})")
        if isinstance(expr, Path):
            return r" \to ".join(w(s, True) for s in expr.steps)
        raise TypeError(expr)

    def quiet(self, write) -> str:
        """Write without break marks: a power, a call or a fraction is never split over rows."""
        mark, self.mark = self.mark, ""
        try:
            return write()
        finally:
            self.mark = mark

    def term(self, sign: str, expr: Expr, first: bool, tight: bool) -> str:
        body = self.write(expr, first=first and sign == "+")
        if isinstance(expr, Sum):
            body = f"({body})"
        op = "-" if sign == "−" else "+"
        if first:
            return body if sign == "+" else "-" + body
        return f"{op}{body}" if tight else f"{self.mark} {op} {body}"

    def factor(self, expr: Expr, first: bool) -> str:
        if isinstance(expr, Sum) or (isinstance(expr, Neg) and not first):
            return f"({self.write(expr, True)})"
        return self.write(expr, first)

    def atom(self, expr: Expr, first: bool = False, power: bool = False) -> str:
        body = self.write(expr, first=first and not power)
        simple = isinstance(expr, (Sym, Param, Word, Paren, Call, Deriv, Pow)) or (
            isinstance(expr, Num) and (expr.value >= 0 or not power))
        return body if simple or body.startswith("(") else f"({body})"

    def chunks(self, expr: Expr) -> list[str]:
        """Cut at the same places as the text writer's chunks, so the two line up one to one."""
        self.mark = "\0"
        try:
            return self.write(expr, first=True, top=True).split("\0")
        finally:
            self.mark = ""

    def prose(self, parts: Prose) -> str:
        return "".join(text(p) if isinstance(p, str) else f"${self(p)}$" for p in parts)

    def cell(self, cell) -> str:
        if cell is None:
            return ""
        if isinstance(cell, str):
            return text(cell)
        if isinstance(cell, (int, float)):
            return f"${self.number(float(cell))}$"
        if isinstance(cell, tuple):
            return self.prose(cell)
        return f"${self(cell)}$"


def _bare(expr: Expr) -> Expr:
    """Without its outer brackets: a fraction bar already groups."""
    return expr.inner if isinstance(expr, Paren) else expr


def render(document: Document, digits: int = 9) -> str:
    latex, plain = LatexWriter(digits), Writer(digits)
    out = ["% bpcalc worked solution; needs \\usepackage{amsmath} (and \\allowdisplaybreaks for long ones)",
           f"\\subsection*{{{text(document.title)}}}"]
    if document.conventions:
        out.append("\\noindent\\emph{" + r" $\cdot$ ".join(latex.prose(c) for c in document.conventions) + "}")
    for section in document.sections:
        out += _section(section, latex, plain)
    return "\n".join(out) + "\n"


def _section(section: Section, latex: LatexWriter, plain: Writer) -> list[str]:
    command = "subsubsection*" if section.level == 1 else "paragraph"
    out = ["", f"\\{command}{{{latex.prose(section.title)}}}"]
    blocks = list(section.blocks)
    k = 0
    while k < len(blocks):
        block = blocks[k]
        if isinstance(block, Group):
            groups = []
            while k < len(blocks) and isinstance(blocks[k], Group):
                groups.append(blocks[k])
                k += 1
            out += _align(groups, latex, plain)
            continue
        if isinstance(block, Note):
            out += ["", latex.prose(block.text)]
        elif isinstance(block, Table):
            out += _tabular(block, latex)
        elif isinstance(block, Plot):
            out += ["\\begin{verbatim}", *block.lines, "\\end{verbatim}"]
        elif isinstance(block, Section):
            out += _section(block, latex, plain)
        k += 1
    return out


def _align(groups: list[Group], latex: LatexWriter, plain: Writer) -> list[str]:
    rows: list[str] = []
    for g, group in enumerate(groups):
        for e, eq in enumerate(group.equations):
            rows += _rows(eq, latex, plain)
            last = g == len(groups) - 1 and e == len(group.equations) - 1
            if not last:
                rows[-1] += r" \\[2pt]" if e == len(group.equations) - 1 else r" \\"
    return ["\\begin{align*}", *rows, "\\end{align*}"]


def _rows(eq: Equation, latex: LatexWriter, plain: Writer) -> list[str]:
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
    rows: list[str] = []
    current, width = f"{latex(eq.symbol)} &", 0
    for k, (tex, txt) in enumerate(sides):
        length = sum(len(t) for t in txt) + 3
        if k > 0 and width + length > SIDE_WIDTH:
            rows.append(current + r" \\")
            current, width = "&", 0
        current += ("= " if current.endswith("&") else " = ") + tex[0]
        width += len(txt[0]) + 3
        for t_chunk, p_chunk in zip(tex[1:], txt[1:]):
            if width + len(p_chunk) > SIDE_WIDTH:
                rows.append(current + r" \\")
                current, width = r"&\quad " + t_chunk.lstrip(), len(p_chunk)
            else:
                current += t_chunk
                width += len(p_chunk)
    rows.append(current + note)
    return rows


def _tabular(table: Table, latex: LatexWriter) -> list[str]:
    numeric = [any(isinstance(row[k], (int, float)) for row in table.rows) for k in range(len(table.header))]
    spec = "".join("r" if n else "l" for n in numeric)
    out = ["", "\\begin{tabular}{" + spec + "}",
           " & ".join(latex.cell(h) for h in table.header) + r" \\ \hline"]
    out += [" & ".join(latex.cell(c) for c in row) + r" \\" for row in table.rows]
    out += ["\\end{tabular}"]
    return out
