"""An answer is right to the digits written (trailing zeros count), with ±1 in the last place for hand rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpcalc.check.precision import Rule, Written, agrees, rounded, rule_from_options, shown, units_off


@pytest.mark.parametrize("text, exponent, words", [
    ("0.50", -2, "2 decimal places"), ("0.5", -1, "1 decimal place"), (".5", -1, "1 decimal place"),
    ("1", 0, "0 decimal places"), ("-0.019049119", -9, "9 decimal places"),
    ("5e-1", -1, "1 significant figure"), ("3.51085e-05", -10, "6 significant figures"),
    ("1e3", 3, "1 significant figure"),
])
def test_the_digits_as_written_fix_the_precision(text, exponent, words):
    written = Written.parse(text)
    assert written.exponent == exponent
    assert written.describe() == words


def test_trailing_zeros_count():
    # w5+ of Mazur's network is 0.35891648: "0.4" is right to one place, "0.40" is not right to two.
    assert agrees(Written.parse("0.4"), 0.35891648, Rule())
    assert not agrees(Written.parse("0.40"), 0.35891648, Rule())
    assert agrees(Written.parse("0.36"), 0.35891648, Rule())


def test_one_in_the_last_place_is_allowed_unless_strict():
    assert units_off(Written.parse("0.00045"), 0.000456825, Rule()) == 1
    assert agrees(Written.parse("0.00045"), 0.000456825, Rule())
    assert not agrees(Written.parse("0.00045"), 0.000456825, Rule(slack=0))
    assert not agrees(Written.parse("0.00044"), 0.000456825, Rule())


def test_rounding_is_half_away_from_zero_as_on_paper():
    assert rounded(0.125, -2) == Decimal("0.13")
    assert rounded(-0.125, -2) == Decimal("-0.13")
    assert agrees(Written.parse("0.13"), 0.125, Rule(slack=0))


def test_overrides():
    assert agrees(Written.parse("0.5933"), 0.5932699921, Rule(decimals=2))
    assert agrees(Written.parse("0.59"), 0.5932699921, Rule(sig_figs=2))
    assert not agrees(Written.parse("0.57"), 0.5932699921, Rule(sig_figs=2))
    assert agrees(Written.parse("0.59"), 0.5932699921, Rule(tolerance=0.01))
    assert not agrees(Written.parse("0.58"), 0.5932699921, Rule(tolerance=0.01))
    assert agrees(Written.parse("101"), 100.0, rule_from_options(tolerance="1%"))
    assert not agrees(Written.parse("102"), 100.0, rule_from_options(tolerance="1%"))


@pytest.mark.parametrize("options, message", [
    ({"decimals": 2, "sig_figs": 3}, "choose one of --decimals and --sig-figs"),
    ({"tolerance": "abc"}, "--tolerance: expected a number such as 0.001 or 1%, got 'abc'"),
    ({"tolerance": "-1"}, "--tolerance: expected a number ≥ 0, got '-1'"),
])
def test_bad_options(options, message):
    with pytest.raises(ValueError) as problem:
        rule_from_options(**options)
    assert str(problem.value) == message


@pytest.mark.parametrize("text", ["abc", "nan", "inf", ""])
def test_not_a_number(text):
    with pytest.raises(ValueError):
        Written.parse(text)


def test_shown_at_the_answers_precision():
    assert shown(0.35891648, Written.parse("0.40"), Rule()) == "0.36"
    assert shown(3.510187782978859e-05, Written.parse("0.0000351085"), Rule()) == "0.0000351019"
    assert shown(3.510187782978859e-05, Written.parse("3.51085e-05"), Rule()) == "3.51019e-5"
    assert shown(-0.0001, Written.parse("0.000"), Rule()) == "0.000"


values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).filter(lambda x: abs(x) > 1e-9)


@given(values, st.integers(min_value=0, max_value=9))
def test_the_value_rounded_as_written_is_right_and_two_off_is_not(value, places):
    text = format(rounded(value, -places), "f")
    written = Written.parse(text)
    assert agrees(written, value, Rule(slack=0))
    unit = Decimal(1).scaleb(-places)
    assert agrees(Written.parse(format(written.value + unit, "f")), value, Rule())
    assert not agrees(Written.parse(format(written.value + 2 * unit, "f")), value, Rule())
