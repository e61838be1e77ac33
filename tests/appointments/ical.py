"""A small RFC 5545 reader for the tests: unfolding, components, parameters, TEXT values,
and TZID times resolved through the calendar's own VTIMEZONE."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


@dataclass
class Prop:
    name: str
    params: dict[str, str]
    value: str


@dataclass
class Component:
    name: str
    props: list[Prop] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def get(self, name: str) -> Prop:
        [prop] = [p for p in self.props if p.name == name]
        return prop

    def all(self, name: str) -> list[Component]:
        return [c for c in self.children if c.name == name]


def physical_lines(text: str) -> list[str]:
    assert text.endswith("\r\n"), "lines end with CRLF"
    lines = text[:-2].split("\r\n")
    assert all("\n" not in line and "\r" not in line for line in lines), "bare LF or CR"
    return lines


def parse(text: str) -> Component:
    logical: list[str] = []
    for line in physical_lines(text):
        assert len(line.encode("utf-8")) <= 75, f"line longer than 75 octets: {line!r}"
        if line.startswith((" ", "\t")):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    stack: list[Component] = [Component("ROOT")]
    for line in logical:
        head, _, value = line.partition(":")
        name, *raw_params = head.split(";")
        params = dict(p.split("=", 1) for p in raw_params)
        if name == "BEGIN":
            child = Component(value)
            stack[-1].children.append(child)
            stack.append(child)
        elif name == "END":
            assert stack.pop().name == value, f"END:{value} closes the wrong component"
        else:
            stack[-1].props.append(Prop(name, params, value))
    [calendar] = stack[0].children
    assert len(stack) == 1
    return calendar


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            nxt = next(chars)
            out.append("\n" if nxt in "nN" else nxt)
        else:
            out.append(char)
    return "".join(out)


def _offset(value: str) -> timedelta:
    sign = -1 if value[0] == "-" else 1
    hours, minutes = int(value[1:3]), int(value[3:5])
    seconds = int(value[5:7]) if len(value) > 5 else 0
    return sign * timedelta(hours=hours, minutes=minutes, seconds=seconds)


def instant(calendar: Component, prop: Prop) -> datetime:
    """The UTC instant of a DATE-TIME property (UTC form, or TZID through its VTIMEZONE)."""
    if prop.value.endswith("Z"):
        return datetime.strptime(prop.value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    wall = datetime.strptime(prop.value, "%Y%m%dT%H%M%S")
    [zone] = [z for z in calendar.all("VTIMEZONE") if z.get("TZID").value == prop.params["TZID"]]
    # The observance in force: the latest whose onset (local, before it) is not after wall.
    best: tuple[datetime, timedelta] | None = None
    for obs in zone.children:
        onset = datetime.strptime(obs.get("DTSTART").value, "%Y%m%dT%H%M%S")
        if onset <= wall and (best is None or onset > best[0]):
            best = (onset, _offset(obs.get("TZOFFSETTO").value))
    assert best is not None, "no observance covers this time"
    return (wall - best[1]).replace(tzinfo=UTC)
