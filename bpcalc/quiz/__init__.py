"""`bpcalc quiz`: one value at a time, judged as `check` judges it, with hints and the worked line once earned.

  session   the quiz itself, without any input or output: the questions in solution order, each
            answer judged by check's Checker against the answers so far, hints from the worked
            solution's own equations, and the score
  progress  a session kept in a small YAML file across days (--save, --resume)
  play      the input() loop that asks, prints and saves, for a terminal or a pipe
  command   the command's options made into a session (a file, a template's variant, saved progress)
"""
