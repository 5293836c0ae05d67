"""Scripted beats: an exchange written as data (samples/story/scripts/*.yaml), run step by step.

A script is a list of steps, each a mapping:

- `topic: Pricing` sets the topic of what follows.
- `let: {who: ROLE-OR-TEXT}` names a value for later steps (`$who`); `let: {"question, answers":
  {pick: ...}}` names the parts of what was picked.
- `say: ROLE` with `lines: [TEXT, ...]`; `solid: true` (or a COND) makes it a monologue that no
  backchannel interrupts.
- `point: TEXT` adds a key point to Gong's brief; `ack: ROLE` a short acknowledgement.
- `if: COND` with `then: [steps]` and optionally `else: [steps]`; `stop: true` ends the beat.

A ROLE is a role name (`rep`, `se`, `mgr`, `fin`, `sales`...), `$name`, `tech()` (the sales
engineer if on the call, else the rep), `closer()` (who speaks for Northbeam on commercials),
`lead()` (the first customer), `dialin()` (the caller Gong cannot match), `[cust, R, ...]` (the
first of these customer roles on the call), `[other_cust, ROLE]`, `{if: COND, then: ROLE, else:
ROLE}`, `[speaker, FIELD, R, ...]` (the account's FIELD role if on the call, else as cust) or
`[teller, $text, R, ...]` (a customer who can say $text without naming themselves).

A TEXT is a sentence with `{placeholders}` (README.md lists them), a list of TEXTs, `$name`,
`{pick: OPTIONS}` (one option, preferring phrasings this call, this account and the corpus used
least), `{pick_for: ROLE, from: OPTIONS}` (the same, minus options in which ROLE would name
themselves), `{table: NAME}` or `{table: NAME, by: account | comp}` (a story table, or its entry
for this account or its main competitor; `slice: [FROM, TO]` for part of it), `{account: FIELD}`
(`at: N` for an item), or a planted sentence `{mark: KIND, text: TEXT, detail: D, value: V}`:
`{mark: pii, pii: KEY, text: ...}` takes kind and value from the pii table, and `{value}` in its
text is the value. `{objection: N}` is the plan's Nth planted objection, marked. OPTIONS is a
list of TEXTs or a `{table}`.

A COND is `{round: first | later}`, `{chance: P}` (a draw from the seeded generator), `{has:
ROLE}` (speaks on this call), `{kind: KIND}` (or a list of kinds), `{has_contact: ROLE}`,
`{account_in: TABLE}`, `{region: EU}`, `{role_is: [ROLE, ROLE]}` or `{not: COND}`.

Each step draws from the generator in the order it is written, as a Python beat would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .ctx import Beat, Ctx
from .model import Marked
from .story import S, StoryError

Env = dict[str, Any]


def role_of(c: Ctx, expr: Any, env: Env) -> str:
    """The role a script names: literal, `$name`, or a call such as `tech()`."""
    if isinstance(expr, dict):
        branch = expr["then"] if holds(c, expr["if"], env) else expr["else"]
        return role_of(c, branch, env)
    if isinstance(expr, tuple):
        head, *rest = expr
        if head == "cust":
            return c.cust(*rest)
        if head == "speaker":
            preferred = getattr(c.acct, rest[0])
            return preferred if c.has(preferred) else c.cust(*rest[1:])
        if head == "other_cust":
            return c.other_cust(role_of(c, rest[0], env))
        if head == "teller":
            return c.teller(text_of(c, rest[0], env), *rest[1:])
        raise StoryError(f"unknown role function {head!r}")
    if expr == "tech()":
        return c.tech()
    if expr == "closer()":
        return c.closer()
    if expr == "lead()":
        return c.customers[0]
    if expr == "dialin()":
        return str(S.dialin)
    if isinstance(expr, str) and expr.startswith("$"):
        return str(env[expr[1:]])
    return str(expr)


def _table(c: Ctx, ref: dict[str, str]) -> Any:
    table = getattr(S, ref["table"])
    by = ref.get("by")
    if by is not None:
        table = table[c.acct.name if by == "account" else getattr(c.acct, by)]
    if "slice" in ref:
        table = table[slice(*ref["slice"])]
    return table


def text_of(c: Ctx, expr: Any, env: Env) -> Any:
    """What a line of a script says, drawing its picks now."""
    if isinstance(expr, str):
        return env[expr[1:]] if expr.startswith("$") and expr[1:] in env else expr
    if isinstance(expr, tuple):
        return tuple(text_of(c, e, env) for e in expr)
    if "pick" in expr:
        return c.pick(options_of(c, expr["pick"], env))
    if "pick_for" in expr:
        return c.pick_for(role_of(c, expr["pick_for"], env), options_of(c, expr["from"], env))
    if "table" in expr:
        return _table(c, expr)
    if "account" in expr:
        value = getattr(c.acct, expr["account"])
        return value[expr["at"]] if "at" in expr else value
    if "objection" in expr:
        objection = c.plan.objections[expr["objection"]]
        return Marked(objection.text, "objection", objection.kind)
    if "mark" in expr:
        return _marked(c, expr, env)
    raise StoryError(f"unknown text {expr!r}")


def _marked(c: Ctx, expr: dict[str, Any], env: Env) -> Marked:
    """A sentence expected.json points at, exactly as written: no placeholder but {value}."""
    detail, value = expr.get("detail", ""), text_of(c, expr.get("value", ""), env)
    if "pii" in expr:
        detail, value = S.pii[expr["pii"]]
    text = text_of(c, expr["text"], env).replace("{value}", value)
    return Marked(text, expr["mark"], detail, value)


def options_of(c: Ctx, expr: Any, env: Env) -> Sequence[Any]:
    options: Sequence[Any] = env[expr[1:]] if isinstance(expr, str) else expr
    return _table(c, expr) if isinstance(expr, dict) else options


def holds(c: Ctx, cond: dict[str, Any], env: Env) -> bool:
    """Whether a script's condition holds on this call."""
    ((key, arg),) = cond.items()
    tests: dict[str, Callable[[], bool]] = {
        "round": lambda: (c.round == 0) == (arg == "first"),
        "chance": lambda: c.rng.random() < arg,
        "has": lambda: c.has(role_of(c, arg, env)),
        "kind": lambda: c.plan.kind in arg if isinstance(arg, tuple) else c.plan.kind == arg,
        "has_contact": lambda: arg in c.acct.contacts,
        "account_in": lambda: c.acct.name in getattr(S, arg),
        "region": lambda: c.acct.region == arg,
        "role_is": lambda: role_of(c, arg[0], env) == role_of(c, arg[1], env),
        "not": lambda: not holds(c, arg, env),
    }
    if key not in tests:
        raise StoryError(f"unknown condition {key!r}")
    return tests[key]()


def run(c: Ctx, steps: Sequence[dict[str, Any]], env: Env) -> bool:
    """Run the steps in order; True once a `stop` step ends the beat."""
    for step in steps:
        if "topic" in step:
            c.topic = step["topic"]
        elif "let" in step:
            for name, expr in step["let"].items():
                value = text_of(c, expr, env) if isinstance(expr, dict) else role_of(c, expr, env)
                names = name.split(", ")
                env.update(zip(names, value, strict=True) if len(names) > 1 else {name: value})
        elif "say" in step:
            who = role_of(c, step["say"], env)
            lines = [text_of(c, line, env) for line in step["lines"]]
            solid = step.get("solid", False)
            c.say(who, *lines, solid=solid if isinstance(solid, bool) else holds(c, solid, env))
        elif "point" in step:
            c.point(text_of(c, step["point"], env))
        elif "ack" in step:
            c.ack(role_of(c, step["ack"], env))
        elif "if" in step:
            branch = step["then"] if holds(c, step["if"], env) else step.get("else", ())
            if run(c, branch, env):
                return True
        elif "stop" in step:
            return True
        else:
            raise StoryError(f"unknown script step {step!r}")
    return False


def scripted(name: str) -> Beat:
    """A beat that runs the story's script of this name, and carries the name, as a Python beat
    would (assembly keys its bookkeeping by beat name)."""

    def beat(c: Ctx) -> None:
        run(c, S.scripts[name], {})

    beat.__name__ = name
    return beat
