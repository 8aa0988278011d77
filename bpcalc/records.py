"""Immutable records: what typing.NamedTuple gives, for a fifth of its cost at start-up.

Everything bpcalc computes — a network, a step's numbers, a formula's nodes — is an immutable
record compared by value. typing.NamedTuple would do, but it compiles a constructor and checks
every annotation of each class as the module loads: ~0.7 M instructions a class. The 36 that
`bpcalc forward` loads cost 27 M, two fifths of what the command adds to importing typer, rich
and yaml; as Records they cost 5 M. A Record is the same kind of object, a tuple whose fields
are read by name, made without compiling anything:

    class Sample(Record):
        inputs: tuple[float, ...]
        targets: tuple[float, ...] = ()

Fields are the class's annotations, in order; a value in the class body is that field's default
(defaults come last). Records compare, hash, unpack and index as tuples, and have
`_replace(**changes)`, `_asdict()`, `_fields` and a repr that names the fields.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any, ClassVar, dataclass_transform

try:  # the descriptor namedtuple reads its fields with: faster than a property
    from _collections import _tuplegetter
except ImportError:  # another Python: a property reads the same value
    def _tuplegetter(index: int, doc: str) -> property:
        return property(itemgetter(index), doc=doc)

_MISSING = object()


class _RecordType(type):
    """Turns a class body's annotations into fields, before the class is made (tuples need
    `__slots__ = ()` then, so that a record has no __dict__ and no attribute can be set)."""

    def __new__(meta, name: str, bases: tuple[type, ...], namespace: dict):
        annotations = namespace.get("__annotations__", {})
        fields = tuple(f for f, kind in annotations.items() if not str(kind).startswith("ClassVar"))
        if any(getattr(base, "_fields", ()) for base in bases):  # a subclass of a record: methods only
            if fields:
                raise TypeError(f"{name}: a record's fields cannot be extended by a subclass")
            namespace["__slots__"] = ()
            return super().__new__(meta, name, bases, namespace)
        defaults = {field: namespace.pop(field) for field in fields if field in namespace}
        if list(defaults) != list(fields[len(fields) - len(defaults):]):
            raise TypeError(f"{name}: a field without a default follows one with a default")
        namespace.update(__slots__=(), _fields=fields, _field_defaults=defaults, __match_args__=fields)
        for index, field in enumerate(fields):
            namespace[field] = _tuplegetter(index, f"{name}.{field}")
        return super().__new__(meta, name, bases, namespace)


@dataclass_transform(frozen_default=True)  # type checkers see each record's real constructor
class Record(tuple, metaclass=_RecordType):
    """The base of every record; see the module's docstring."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]]
    _field_defaults: ClassVar[dict[str, Any]]

    def __new__(cls, *values, **named):
        if named or len(values) != len(cls._fields):
            values = cls._bind(values, named)
        return tuple.__new__(cls, values)

    @classmethod
    def _bind(cls, values: tuple, named: dict) -> tuple:
        """Positional and named arguments, then defaults, in field order — or the TypeError a
        function with these parameters would raise."""
        if len(values) > len(cls._fields):
            raise TypeError(f"{cls.__name__} takes {len(cls._fields)} values, not {len(values)}")
        bound = list(values)
        for field in cls._fields[len(values):]:
            value = named.pop(field, cls._field_defaults.get(field, _MISSING))
            if value is _MISSING:
                raise TypeError(f"{cls.__name__} is missing its field {field!r}")
            bound.append(value)
        for field in named:  # what is left was not wanted
            raise TypeError(f"{cls.__name__} got two values for its field {field!r}" if field in cls._fields
                            else f"{cls.__name__} has no field {field!r}")
        return tuple(bound)

    def _replace(self, **changes):
        """A copy with the named fields changed."""
        values = [changes.pop(field, value) for field, value in zip(self._fields, self)]
        if changes:
            raise TypeError(f"{type(self).__name__} has no field {next(iter(changes))!r}")
        return tuple.__new__(type(self), values)

    def _asdict(self) -> dict:
        return dict(zip(self._fields, self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{f}={v!r}' for f, v in zip(self._fields, self))})"

    def __getnewargs__(self) -> tuple:  # copy and pickle make a record again from its values
        return tuple(self)
