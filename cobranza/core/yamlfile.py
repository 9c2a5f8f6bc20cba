"""Operator-edited YAML files (playbooks, country contact rules), validated as a whole with line numbers.

An operator's typo must be refused at start with the line at fault
(``ConfigError``: "file:LINE: where: what"), never half-applied at 3 a.m.
``Node`` walks the parsed document keeping each entry's line.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError


class ConfigError(ValueError):
    """An invalid configuration file: what is wrong and where (1-based line)."""

    def __init__(self, message: str, line: int | None, source: str = "") -> None:
        self.message, self.line, self.source = message, line, source
        where = f"{source}:" if source else ""
        super().__init__(f"{where}{line}: {message}" if line else f"{where} {message}".strip())


def parse(text: str, source: str, error: type[ConfigError] = ConfigError) -> Node:
    """The document's root node; invalid YAML is refused with its line."""
    try:
        data = YAML(typ="rt").load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise error(f"not valid YAML: {getattr(exc, 'problem', exc)}", mark.line + 1 if mark else None, source) from exc
    return Node(data, 1, source, "", error)


class Node:
    """A mapping or list from the YAML with the line of each entry, to point at what is wrong."""

    def __init__(
        self, data: Any, line: int | None, source: str, where: str, error: type[ConfigError] = ConfigError
    ) -> None:
        self.data, self.line, self.source, self.where, self.error = data, line, source, where, error

    def fail(self, message: str, line: int | None = None) -> ConfigError:
        return self.error(f"{self.where}: {message}" if self.where else message, line or self.line, self.source)

    def line_of(self, key: Any) -> int | None:
        marks: Any = getattr(self.data, "lc", None)  # ruamel's line and column of each entry
        try:
            if isinstance(self.data, dict):
                return int(marks.key(key)[0]) + 1
            return int(marks.item(key)[0]) + 1
        except (AttributeError, KeyError, IndexError, TypeError):
            return self.line

    def mapping(self, allowed: tuple[str, ...] | None = None) -> Node:
        if not isinstance(self.data, dict):
            raise self.fail("must be a mapping of names to values")
        if allowed is not None:
            for key in self.data:
                if key not in allowed:
                    raise self.fail(f"unknown key {key!r} (expected one of: {', '.join(allowed)})", self.line_of(key))
        return self

    def child(self, key: str, required: bool = True) -> Node | None:
        if key not in self.data:
            if required:
                raise self.fail(f"missing {key!r}")
            return None
        where = f"{self.where}.{key}" if self.where else key
        return Node(self.data[key], self.line_of(key), self.source, where, self.error)

    def need(self, key: str) -> Node:
        """The child ``key``, which must be there."""
        node = self.child(key)
        assert node is not None
        return node

    def items(self) -> list[Node]:
        if not isinstance(self.data, list):
            raise self.fail("must be a list")
        return [
            Node(v, self.line_of(i), self.source, f"{self.where}[{i}]", self.error) for i, v in enumerate(self.data)
        ]

    def integer(
        self,
        key: str,
        low: int | None = None,
        high: int | None = None,
        required: bool = True,
        default: int | None = None,
    ) -> int:
        node = self.child(key, required)
        if node is None:
            assert default is not None
            return default
        value = node.data
        if isinstance(value, bool) or not isinstance(value, int):
            raise node.fail("must be a whole number")
        if (low is not None and value < low) or (high is not None and value > high):
            raise node.fail(f"must be between {low} and {high}" if high is not None else f"must be at least {low}")
        return int(value)

    def number(self, key: str, low: float, high: float) -> float:
        node = self.need(key)
        if isinstance(node.data, bool) or not isinstance(node.data, int | float):
            raise node.fail("must be a number")
        if not low <= float(node.data) <= high:
            raise node.fail(f"must be between {low:g} and {high:g}")
        return float(node.data)

    def choice(self, key: str, choices: tuple[str, ...]) -> str:
        node = self.need(key)
        if node.data not in choices:
            raise node.fail(f"{node.data!r} is not one of: {', '.join(choices)}")
        return str(node.data)

    def text(self, key: str) -> str:
        node = self.need(key)
        if not isinstance(node.data, str) or not node.data.strip():
            raise node.fail("must be a non-empty text")
        return str(node.data).strip()

    def flag(self, key: str, required: bool = True, default: bool = False) -> bool:
        node = self.child(key, required)
        if node is None:
            return default
        if not isinstance(node.data, bool):
            raise node.fail("must be true or false")
        return bool(node.data)
