"""bpcalc answers and bpcalc check: a blank answer file, and answer files judged."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..cli import (DeltaSign, FormatOpt, JsonOpt, NetArg, _app as app, default_network_path, load_net,
                   output_format, user_errors)
from ..commandline import Count, say
from ..errors import EXIT_BAD_INPUT, EXIT_WRONG_ANSWERS, BpcalcError


@app.command()
@user_errors
def answers(net: NetArg = None,
            everything: Annotated[bool, typer.Option(
                "--all", help="Also list the chain-rule factors (dE/dout_X, dout/dnet_X, dE_K/dout_X), each "
                              "step ΔP and the forward pass after the update (X@1).")] = False,
            output: Annotated[Optional[Path], typer.Option(
                "-o", "--output", help="Write the template to this file instead of printing it.")] = None,
            force: Annotated[bool, typer.Option("--force", help="Replace --output if it exists.")] = False) -> None:
    """Print a blank answer file: every quantity name of one step, in solution order, to fill in and check."""
    from ..check.answers import template_text
    from ..check.grade import Checker
    from ..files import write_atomically

    path = net if net is not None else default_network_path()
    network = load_net(net)
    text = template_text(network, Checker(network).vocabulary, str(net) if net is not None else None, everything)
    if output is None:
        print(text, end="")
    else:
        write_atomically(output, text, force=force, inputs=[path])


@app.command()
@user_errors
def check(files: Annotated[list[Path], typer.Argument(
              metavar="[NET|DIR] ANSWERS", show_default=False,
              help="The network file, then one or more answer files (YAML: name: number). Without a network "
                   "file first, the answers are checked against the bundled Mazur example. A directory of "
                   "variants first (bpcalc generate): each file against the variant its `variant:` line "
                   "names, DIR/VARIANT.yaml.")],
          json: JsonOpt = False,
          format: FormatOpt = None,
          csv: Annotated[Optional[Path], typer.Option(
              "--csv", help="Also write a gradebook: one row per answer file (student, score, one column per "
                            "question: right, wrong, follow-through or blank), UTF-8 with a byte order mark "
                            "so that Excel keeps names such as Müller.")] = None,
          no_bom: Annotated[bool, typer.Option(
              "--no-bom", help="Write the --csv file as plain UTF-8, without the byte order mark.")] = False,
          questions: Annotated[Optional[Path], typer.Option(
              "--questions", metavar="BLANK.answers.yaml",
              help="The names every student must answer (a blank answer file, e.g. from bpcalc answers or "
                   "generate): a name a file does not give counts as not answered. Without it only the "
                   "names each file gives are judged.")] = None,
          points: Annotated[Optional[Path], typer.Option(
              "--points", metavar="POINTS.yaml",
              help="Points per question for the --csv file: a name, a glob ('w*+') or a group (forward, "
                   "factors, deltas, gradients, steps, updates, after, trained) → points; default: 1 "
                   "(docs/check.md).")] = None,
          force: Annotated[bool, typer.Option("--force", help="Replace the --csv file if it exists.")] = False,
          tolerance: Annotated[Optional[str], typer.Option(
              "--tolerance", help="Right if within this of the expected value: absolute (0.001) or "
                                  "relative (1%), instead of to the digits written.")] = None,
          decimals: Annotated[Optional[int], typer.Option(
              "--decimals", metavar="N", click_type=Count(0, 20, "decimal places"), help="Compare every answer at N decimal places.")] = None,
          sig_figs: Annotated[Optional[int], typer.Option(
              "--sig-figs", metavar="N", click_type=Count(1, 20, "significant figures"), help="Compare every answer at N significant figures.")] = None,
          strict: Annotated[bool, typer.Option(
              "--strict", help="No allowance of ±1 in the last place for hand rounding.")] = False,
          details: Annotated[bool, typer.Option(
              "--details", help="With several answer files, show each file's table too.")] = False,
          delta_sign: Annotated[Optional[DeltaSign], typer.Option(
              "--delta-sign", show_default=False,
              help="How the answers sign δ: gradient (δ = ∂E/∂net) or error (δ = (t−out)·f′ = −∂E/∂net). "
                   "Default: the network file's delta_sign, else gradient.")] = None) -> None:
    """Check answer files: each number right to the digits written, right by follow-through from the
    student's own earlier numbers, or wrong, with the slip that explains it. Exit 0 if all are right,
    1 if any is wrong, 2 for bad input (with several files, after grading the others: a file that
    cannot be graded is a row saying why).

    \b
    Examples:
      bpcalc check hw3.yaml mine.yaml                 a student's own answers
      bpcalc check hw3.yaml subs/*.yaml --csv grades.csv --questions blank.yaml
      bpcalc check hw4/ subs/*.yaml --csv grades.csv --points points.yaml
                                                      each file against its own variant (hw4/hw4-01.yaml, …)
      bpcalc check hw3.yaml mine.yaml --format markdown > feedback.md
    """
    from ..check.precision import rule_from_options
    from ..check.run import check_files

    fmt = output_format(json, format)
    try:
        rule = rule_from_options(tolerance, decimals, sig_figs, strict)
    except ValueError as problem:
        raise BpcalcError(str(problem)) from None
    if points is not None and csv is None:
        raise BpcalcError("--points sets the points of the --csv gradebook; give --csv FILE too")
    grading = check_files(files, default_network_path(), rule, None if delta_sign is None else delta_sign.value,
                          questions, points)
    if csv is not None:
        from ..check.gradebook import csv_text
        from ..files import write_atomically

        inputs = [*files, *(p for p in (questions, points) if p is not None)]
        write_atomically(csv, csv_text(grading, bom=not no_bom), force=force, inputs=inputs)
    if json:
        from ..check.render import json_document
        from ..render import json as json_render

        print(json_render.dumps(json_document(grading, rule)))
    else:
        from ..check.render import document
        from ..render.formats import show

        show(document(grading, rule, details), fmt, 9)
    for rejected in grading.rejected:
        say(rejected.problem)
    if grading.rejected:
        raise typer.Exit(EXIT_BAD_INPUT)
    if not all(r.all_right for r in grading.graded):
        raise typer.Exit(EXIT_WRONG_ANSWERS)
