"""A Moodle XML quiz of the variants: one cloze question each, the network as HTML tables, a NUMERICAL field per quantity.

The format is the one Moodle's own importer reads (question/format/xml): a <quiz> of <question>s,
first a category named after the template, then a question of type "cloze" per variant whose
HTML question text embeds each answer as {1:NUMERICAL:=value:tolerance}. The value is the key's;
the tolerance is check's rule at the key's precision: ±1 in the last place written, plus the half
unit rounding may have taken off. Names are escaped for HTML, and braces as entities, so that no
name can open a field of its own.
"""

from __future__ import annotations

import base64
import html
from typing import Sequence

from ..draw.exports import figures
from ..render.document import Document, Figure, Note, Section, Table
from ..render.text import Writer
from .key import KeyEntry
from .sheets import DIGITS, Problem, problem_document


class Field(str):
    """An embedded answer, written into the question text as it is."""


def field(entry: KeyEntry) -> Field:
    """The cloze field of one answer, worth one mark: {1:NUMERICAL:=0.5933:0.00015}."""
    return Field(f"{{1:NUMERICAL:={entry.text}:{_plain(entry.tolerance)}}}")


def _plain(number) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _text(words: str) -> str:
    return html.escape(words).replace("{", "&#123;").replace("}", "&#125;")


def _cell(cell, writer: Writer) -> str:
    if isinstance(cell, Field):
        return str(cell)
    return _text(writer.cell(cell))


def _prose(parts, writer: Writer) -> str:
    return _text("".join(p if isinstance(p, str) else writer(p) for p in parts))


def question_html(document: Document, picture: str = "network.svg") -> str:
    """The problem's document as the HTML of a question text; a figure is an image of the SVG
    file `picture` the question carries (Moodle's @@PLUGINFILE@@, filled from the <file> element)."""
    writer = Writer(DIGITS)
    out = [f"<p>{' · '.join(_prose(c, writer) for c in document.conventions)}</p>"] if document.conventions else []

    def blocks(section: Section, level: int) -> None:
        out.append(f"<h{level}>{_prose(section.title, writer)}</h{level}>")
        for block in section.blocks:
            if isinstance(block, Table):
                numeric = block.numeric()
                head = "".join(f"<th>{_text(writer.cell(h))}</th>" for h in block.header)
                rows = ["<tr>" + "".join(f'<td style="text-align:{"right" if n else "left"}">{_cell(c, writer)}</td>'
                                         for c, n in zip(row, numeric)) + "</tr>" for row in block.rows]
                out.append(f'<table border="1" cellpadding="4"><tr>{head}</tr>{"".join(rows)}</table>')
            elif isinstance(block, Note):
                out.append(f"<p>{_prose(block.text, writer)}</p>")
            elif isinstance(block, Figure):
                out.append(f'<p><img src="@@PLUGINFILE@@/{html.escape(picture)}" '
                           f'alt="{_text(block.caption)}"/></p>')
            elif isinstance(block, Section):
                blocks(block, level + 1)

    for section in document.sections:
        blocks(section, 3)
    return "\n".join(out)


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def quiz(category: str, problems: Sequence[Problem], precision: int) -> str:
    """The whole quiz file."""
    name = html.escape(category)
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>",
           '  <question type="category">',
           f"    <category><text>$course$/top/{name}</text></category>",
           '    <info format="html"><text></text></info>',
           "  </question>"]
    for problem in problems:
        document = problem_document(problem, precision, [field(e) for e in problem.key])
        variant = html.escape(problem.variant.name)
        picture = f"{problem.variant.name}.svg"
        out += ['  <question type="cloze">',
                f"    <name><text>{variant}</text></name>",
                '    <questiontext format="html">',
                f"      <text>{_cdata(question_html(document, picture))}</text>",
                *(f'      <file name="{html.escape(picture)}" path="/" encoding="base64">'
                  f'{base64.b64encode(f.svg.encode("utf-8")).decode("ascii")}</file>' for f in figures(document)[:1]),
                "    </questiontext>",
                '    <generalfeedback format="html"><text></text></generalfeedback>',
                "    <penalty>0.3333333</penalty>",
                "    <hidden>0</hidden>",
                f"    <idnumber>{variant}</idnumber>",
                "  </question>"]
    out.append("</quiz>")
    return "\n".join(out) + "\n"
