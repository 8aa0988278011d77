"""--format html: one well-formed, self-contained page per command, holding every number the text writer prints."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from bpcalc import engine
from bpcalc.loader import load_network, parse_network
from bpcalc.render import html
from bpcalc.render.document import Document, Equation, Figure, Group, Note, Section, Table
from bpcalc.records import Record
from bpcalc.render.explain import explain_document
from bpcalc.render.solution import forward_document, step_document
from bpcalc.render.symbols import View
from bpcalc.render.text import Writer
from bpcalc.render.training import train_document
from bpcalc.expr import Num, Sym
from bpcalc import training
from conftest import NETWORKS, bpcalc
from test_latex import LABELLED

NETS = sorted(NETWORKS.glob("*.yaml"))


def parse(page: str) -> ET.Element:
    """The page as XML: it must be one document, every element closed, after the HTML5 doctype."""
    doctype = "<!DOCTYPE html>\n"
    assert page.startswith(doctype)
    return ET.fromstring(page[len(doctype):])


def text_of(element: ET.Element) -> str:
    return "".join(element.itertext())


def with_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def assert_self_contained(page: str) -> None:
    """Nothing to fetch: no address, no script, no stylesheet or font but the inline one. A
    figure's arrowheads refer to a marker in the same SVG (url(#arrow)), which fetches nothing."""
    for forbidden in ("http", "//", "src=", "href", "@import", "<script", "<link", "<img", "<iframe"):
        assert forbidden not in page, forbidden
    assert "url(" not in page.replace("url(#", ""), "url("


def first_parameter(path) -> str:
    network = load_network(path)
    return network.label_of(next(network.parameters()).key)


def commands(path):
    yield ["forward", path]
    yield ["step", path, "--show-deltas"]
    yield ["explain", path, first_parameter(path)]
    yield ["train", path, "-n", "20"]


@pytest.mark.parametrize("command", [pytest.param(c, id=f"{c[1].stem}-{c[0]}") for p in NETS for c in commands(p)])
def test_every_command_writes_one_self_contained_page(command):
    result = bpcalc(*command, "--format", "html")
    assert result.exit_code == 0, result.stderr
    page = result.stdout
    root = parse(page)
    assert root.tag == "html" and root.get("lang") == "en"
    head, body = root.find("head"), root.find("body")
    assert head is not None and body is not None
    assert head.find("meta").get("charset") == "utf-8"
    assert any(m.get("name") == "viewport" for m in head.iter("meta"))
    title = head.find("title")
    assert title is not None and title.text and title.text.startswith(load_network(command[1]).name)
    assert "@media print" in head.find("style").text
    assert body.find("main/h1") is not None and root.find(".//ul[@class='conventions']") is not None
    assert_self_contained(page)
    assert "<pre class=\"fallback\">" not in page  # every block of these commands is typeset


# ---------------------------------------------------------------- the numbers

def documents(path):
    network = load_network(path)
    view = View(delta_sign=network.options.delta_sign)
    record = engine.step(network)
    yield forward_document(network, engine.evaluate(network), view)
    yield step_document(record, view)
    yield explain_document(record, next(network.parameters()).key, view)
    table = engine.checkpoints_for(20)
    yield train_document(network, training.train(network, 20, table), view, table)


def plain_number(text: str) -> str:
    """A number as the page shows it, in the text writer's spelling: 1.5×10^−12 is 1.5e-12."""
    return re.sub(r"×10(-?\d+)$", r"e\1", text.strip().lstrip("="))


@pytest.mark.parametrize("path", NETS, ids=lambda p: p.stem)
def test_every_value_is_the_text_writers(path):
    writer = Writer(9)
    for document in documents(path):
        root = parse(html.render(document))
        values = [eq.value for eq in document.equations() if eq.value is not None]
        shown = [plain_number(text_of(e)) for e in with_class(root, "value")]
        assert shown == [writer.number(v) for v in values]
        # Every number of every table, in order, as the text writer writes that cell.
        expected = [writer.cell(cell) for table in tables(document.sections) for row in table.rows
                    for cell in row if isinstance(cell, float)]
        cells = [plain_number(text_of(td)) for td in root.iter("td") if td.get("class") == "num"]
        numeric = [c for c in cells if re.fullmatch(r"-?[\d.]+(e-?\d+)?|-?∞", c)]
        assert numeric == expected


def tables(blocks):
    for block in blocks:
        if isinstance(block, Table):
            yield block
        elif isinstance(block, Section):
            yield from tables(block.blocks)


def test_a_value_of_the_mazur_step_reads_as_mazur_prints_it():
    page = bpcalc("step", "--show-deltas", "--format", "html").stdout
    root = parse(page)
    values = [plain_number(text_of(e)) for e in with_class(root, "value")]
    assert "0.593269992" in values and "0.358916480" in values and "0.291027774" in values


# ---------------------------------------------------------------- typesetting

MAZUR = load_network(NETWORKS / "mazur.yaml")


def math_of(expr) -> str:
    return html.MathWriter(9)(expr)


def test_sub_and_superscripts_and_fraction_bars():
    record = engine.step(MAZUR)
    page = html.render(step_document(record, View()))
    assert "<msub><mi>net</mi><mrow><mi>h</mi><mn>1</mn></mrow></msub>" in page  # net_h1
    assert "<msubsup><mi>w</mi><mn>5</mn><mo>+</mo></msubsup>" in page  # w5+
    assert ('<mfrac><mrow><mi mathvariant="normal">∂</mi><mi>E</mi></mrow><mrow><mi mathvariant="normal">∂</mi>'
            "<msub><mi>w</mi><mn>5</mn></msub></mrow></mfrac>") in page  # ∂E/∂w5
    assert "<mfrac><mn>1</mn><mrow><mn>1</mn><mo>+</mo><msup><mi>e</mi>" in page  # 1/(1+e^−net)
    # A bracket stretches round a fraction only.
    assert '<mo stretchy="false">(</mo>' in page


def test_labels_are_typeset_as_latex_typesets_them():
    network = parse_network(LABELLED, "labels.yaml")
    record = engine.step(network)
    page = html.render(explain_document(record, "x1->h1", View()))
    body = text_of(parse(page).find("body"))
    assert "<h1>labels: how <math><msub><mi>w</mi><mn>11</mn></msub></math> (x1-&gt;h1) is learned</h1>" in page
    assert "w_{11}" not in body and "theta3" not in body
    step_page = html.render(step_document(record, View(show_deltas=False)))
    assert "<td><math><msub><mi>θ</mi><mn>3</mn></msub></math> (h1)</td>" in step_page  # in a table
    assert "<td><math><msub><mi>w</mi><mn>12</mn></msub></math> (x2-&gt;h1)</td>" in step_page
    assert "<td>w22 (x2-&gt;h2)</td>" in step_page  # a plain label stays the text answer files name it by
    assert "<msub><mi>β</mi><mn>1</mn></msub>" in html.render(step_document(record, View()))


def test_a_sample_mark_is_a_superscript_beside_the_subscript():
    two = parse_network((NETWORKS / "mazur.yaml").read_text(encoding="utf-8").replace(
        "samples:\n", "samples:\n  - inputs: {i1: 1, i2: 0}\n    targets: {o1: 0, o2: 1}\n"), "two.yaml")
    assert math_of(Sym("x", "i1", 2)) == (
        '<msubsup><mi>i</mi><mn>1</mn><mrow><mo stretchy="false">(</mo><mn>2</mn><mo stretchy="false">)</mo>'
        "</mrow></msubsup>")
    parse(html.render(step_document(engine.step(two), View())))


def test_extreme_numbers_are_raised_powers_of_ten():
    assert math_of(Num(1.5e-12)) == "<mrow><mn>1.5</mn><mo>×</mo><msup><mn>10</mn><mn>-12</mn></msup></mrow>"
    assert html.number_text(-2.5e20, 9) == "-2.5×10<sup>20</sup>"


def test_a_long_sum_may_wrap_at_its_signs_and_nowhere_inside_a_bracket():
    record = engine.step(MAZUR)
    page = html.render(step_document(record, View()))
    # net_h1's formula: w1·i1 + w2·i2 + b1·1, one <math> per term, a break allowed between them
    assert '</math><wbr/><math displaystyle="true"><mo form="infix">+</mo> <msub><mi>w</mi><mn>2</mn></msub>' in page
    root = parse(page)
    for side in with_class(root, "side"):
        for math in side.iter("math"):
            assert len(list(math)) > 0  # each piece is whole MathML: the parse above balanced every bracket


# ---------------------------------------------------------------- blocks

SVG = ('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="120" '
       'height="40" viewBox="0 0 120 40"><rect x="1" y="1" width="118" height="38" fill="#fff" stroke="#000"/>'
       '<text x="60" y="25" text-anchor="middle">h1 &#8594; o1</text></svg>\n')


class Drawn:
    """A hand-made picture: its forms given rather than drawn."""

    def svg(self) -> str:
        return SVG

    def tikz(self) -> str:
        return r"\begin{tikzpicture}\end{tikzpicture}"

    def text(self, width: int) -> tuple[str, ...]:
        return ("h1 → o1",)


def test_a_figure_is_inlined_with_its_caption():
    figure = Figure("The network, with its weights", Drawn())
    document = Document("drawn", (), (Section(("The network",), (figure, Note(("after it",)))),))
    page = html.render(document)
    assert_self_contained(page)
    root = parse(page)
    figure_element = root.find(".//figure")
    assert figure_element is not None
    svg = figure_element.find("svg")
    assert svg is not None and svg.get("viewBox") == "0 0 120 40" and svg.find("rect") is not None
    assert text_of(svg) == "h1 → o1"
    assert text_of(figure_element.find("figcaption")) == "The network, with its weights"
    assert "<?xml" not in page


def test_a_block_it_does_not_know_is_shown_as_plain_text(monkeypatch):
    # A block type the page has no typesetting for is still shown, as the plain-text writer writes it.
    from bpcalc.render import terminal

    def lines(block, width=80, digits=9):
        return [("[[w1 w2]", ""), (" [w3 w4]]", "")]

    monkeypatch.setattr(terminal, "block_lines", lines)
    unknown = object.__new__(type("Unknown", (), {}))
    document = Document("t", (), (Section(("s",), (unknown,)),))  # type: ignore[arg-type]
    root = parse(html.render(document))
    fallback = root.find(".//pre[@class='fallback']")
    assert fallback is not None and fallback.text == "[[w1 w2]\n [w3 w4]]"


def test_the_plain_text_of_an_unknown_block_is_the_terminals():
    from bpcalc.render import terminal

    group = Group(tuple(engine_equations()))
    lines = [line for line, _ in terminal.block_lines(group, 100)]
    whole = terminal.plain(terminal.render(Document("t", (), (Section(("s",), (group,)),)), 100)).splitlines()
    assert [line.strip() for line in lines] == [line.strip() for line in whole[3:]]


def engine_equations():
    record = engine.step(MAZUR)
    return step_document(record, View()).equations()[:3]


def test_text_is_escaped():
    document = Document("a <b> & c", (("x < y & z",),), (Section(("s",), (Note(("1 < 2 > 0 & \"q\"",)),)),))
    root = parse(html.render(document))
    assert root.find("head/title").text == "a <b> & c"
    assert text_of(root.find(".//p")) == "1 < 2 > 0 & \"q\""


class Transposed(Record):
    """A kind of formula the page has no MathML for."""

    of: Sym


def test_a_formula_it_does_not_know_is_shown_as_the_text_writer_spells_it(monkeypatch):
    original = Writer.write

    def write(self, expr, first=False, top=False):
        return f"{original(self, expr.of)}ᵀ" if isinstance(expr, Transposed) else original(self, expr, first, top)

    monkeypatch.setattr(Writer, "write", write)
    equation = Equation(Sym("net", "h1"), Transposed(Sym("out", "h1")), None, 0.5)  # type: ignore[arg-type]
    root = parse(html.render(Document("t", (), (Section(("s",), (Group((equation,)),)),))))
    assert [text_of(e) for e in root.iter("mtext")] == ["out_h1ᵀ"]
    assert [plain_number(text_of(e)) for e in with_class(root, "value")] == ["0.5"]
