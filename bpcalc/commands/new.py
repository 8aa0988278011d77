"""bpcalc new: a blank network file of a shape, to fill in with numbers."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..cli import _app as app, user_errors
from ..commandline import say
from ..errors import BpcalcError


@app.command()
@user_errors
def new(shape: Annotated[str, typer.Argument(
            metavar="SHAPE", show_default=False,
            help="Layer sizes joined by '-': the inputs, each hidden layer, the outputs (2-2-2, 3-4-4-1).")],
        activation: Annotated[str, typer.Option(
            "--activation", metavar="NAME",
            help="The hidden layers' activation: sigmoid, tanh, relu, leaky_relu or linear (identity).")] = "sigmoid",
        output_activation: Annotated[Optional[str], typer.Option(
            "--output-activation", metavar="NAME", show_default=False,
            help="The output layer's: any of those, or softmax. Default: the same as --activation.")] = None,
        loss: Annotated[str, typer.Option(
            "--loss", metavar="NAME", help="half_sse, sse, mse or cross_entropy.")] = "half_sse",
        thresholds: Annotated[bool, typer.Option(
            "--thresholds", help="Write a threshold θ for every neuron instead of a bias: net = Σw·x − θ, "
                                 "as Negnevitsky writes it.")] = False,
        no_biases: Annotated[bool, typer.Option("--no-biases", help="No bias at all: net = Σw·x.")] = False,
        learning_rate: Annotated[float, typer.Option(
            "--learning-rate", metavar="ETA", help="η, in w⁺ = w − η·∂E/∂w.")] = 0.5,
        name: Annotated[Optional[str], typer.Option(
            "--name", metavar="TEXT", show_default=False,
            help="The name shown in headings. Default: the shape.")] = None,
        out: Annotated[Optional[Path], typer.Option(
            "-o", "--out", "--output", metavar="FILE", show_default=False,
            help="Write the file here instead of printing it (never over an existing file without --force).")] = None,
        force: Annotated[bool, typer.Option("--force", help="Let --out replace an existing file.")] = False,
        ) -> None:
    """Print a blank network file of the given shape, to fill in with numbers: every weight and
    bias written out as 0.0, labelled w1, w2, … and b1, b2, … as Mazur numbers them.

    \b
    Examples:
      bpcalc new 2-2-2 > hw3.yaml       Mazur's shape: put in your numbers,
      bpcalc forward hw3.yaml           then work the forward pass
      bpcalc new 3-4-4-1 --thresholds   two hidden layers; net = Σw·x − θ
      bpcalc new 2-3-1 --activation tanh --output-activation linear -o hw4.yaml

    Inputs are named x1, x2, …; hidden neurons h1, h2, …, numbered on through the hidden layers
    (3-4-4-1: h1 … h4, then h5 … h8); outputs o1, o2, …. Weights are labelled neuron by neuron
    from the input side, each neuron's incoming weights in order: in a 2-2-2, w1 is x1->h1,
    w2 x2->h1, w3 x1->h2, … and w8 h2->o2.
    """
    from .. import skeleton

    if thresholds and no_biases:
        raise BpcalcError("--thresholds and --no-biases: choose one (a threshold is a bias with its sign turned)")
    if out is not None and out.name in skeleton.OUTPUT_ACTIVATIONS and out.name == str(out):
        raise BpcalcError(f"--out/--output names the file to write, not an activation; for the output "
                          f"layer's activation use --output-activation {out}")
    constant = None if no_biases else skeleton.THRESHOLD if thresholds else skeleton.BIAS
    text = skeleton.skeleton(skeleton.parse_shape(shape), activation=activation, output=output_activation,
                             loss=loss, constant=constant, learning_rate=learning_rate, name=name)
    if out is None:
        print(text, end="")
    else:
        from ..files import write_atomically

        write_atomically(out, text, force=force)
        say(f"wrote {out}; put your numbers in it, then run bpcalc forward {out}")
