"""Record, the base of bpcalc's immutable records: it behaves as typing.NamedTuple does."""

from __future__ import annotations

import copy
import pickle
from typing import NamedTuple

import pytest

from bpcalc.records import Record


class Point(Record):
    """A point for the tests."""

    x: float
    y: float
    label: str = ""
    weight: float = 1.0


class PointTuple(NamedTuple):
    x: float
    y: float
    label: str = ""
    weight: float = 1.0


@pytest.mark.parametrize("args, named", [((1.0, 2.0), {}), ((1.0,), {"y": 2.0}), ((), {"y": 2.0, "x": 1.0}),
                                         ((1.0, 2.0, "p"), {}), ((1.0, 2.0), {"weight": 3.0}),
                                         ((1.0, 2.0, "p", 3.0), {})])
def test_made_as_a_named_tuple_is(args, named):
    record, reference = Point(*args, **named), PointTuple(*args, **named)
    assert tuple(record) == tuple(reference)
    assert (record.x, record.y, record.label, record.weight) == tuple(reference)
    assert record._asdict() == reference._asdict()
    assert repr(record) == repr(reference).replace("PointTuple", "Point")
    assert record._replace(y=5.0, label="q") == reference._replace(y=5.0, label="q")


@pytest.mark.parametrize("args, named, problem", [
    ((1.0,), {}, "missing its field 'y'"),
    ((1.0, 2.0, "p", 3.0, 4.0), {}, "takes 4 values, not 5"),
    ((1.0, 2.0), {"z": 0.0}, "no field 'z'"),
    ((1.0, 2.0), {"x": 0.0}, "two values for its field 'x'"),
])
def test_wrong_arguments_are_a_type_error(args, named, problem):
    with pytest.raises(TypeError, match=problem):
        Point(*args, **named)
    with pytest.raises(TypeError):
        PointTuple(*args, **named)


def test_a_record_is_immutable_tuple_by_value():
    point = Point(1.0, 2.0)
    with pytest.raises(AttributeError):
        point.x = 3.0
    with pytest.raises(AttributeError):
        point.extra = 3.0  # no __dict__: nothing can be added either
    assert point == Point(1.0, 2.0) and hash(point) == hash(Point(1.0, 2.0))
    assert isinstance(point, tuple) and point[1] == 2.0
    x, y, label, weight = point
    assert (x, y, label, weight) == (1.0, 2.0, "", 1.0)
    with pytest.raises(TypeError, match="no field 'z'"):
        point._replace(z=1.0)


def test_copied_and_pickled_as_itself():
    point = Point(1.0, 2.0, "p")
    for again in (copy.copy(point), copy.deepcopy(point), pickle.loads(pickle.dumps(point))):
        assert again == point and type(again) is Point


def test_fields_in_order_for_match():
    assert Point._fields == ("x", "y", "label", "weight")
    assert Point._field_defaults == {"label": "", "weight": 1.0}
    match Point(1.0, 2.0):
        case Point(x, y):
            assert (x, y) == (1.0, 2.0)


def test_methods_and_properties_are_kept():
    class Segment(Record):
        start: float
        end: float

        @property
        def length(self) -> float:
            return self.end - self.start

        def shifted(self, by: float) -> Segment:
            return Segment(self.start + by, self.end + by)

    assert Segment(1.0, 4.0).length == 3.0
    assert Segment(1.0, 4.0).shifted(1.0) == Segment(2.0, 5.0)


def test_a_default_before_a_required_field_is_refused():
    with pytest.raises(TypeError, match="without a default follows one with a default"):
        class Bad(Record):
            a: int = 0
            b: int


def test_a_subclass_adds_methods_not_fields():
    class Located(Point):
        def distance(self) -> float:
            return (self.x ** 2 + self.y ** 2) ** 0.5

    assert Located(3.0, 4.0).distance() == 5.0 and Located._fields == Point._fields
    with pytest.raises(AttributeError):
        Located(3.0, 4.0).extra = 1.0
    with pytest.raises(TypeError, match="cannot be extended"):
        class Labelled(Point):
            colour: str = ""
