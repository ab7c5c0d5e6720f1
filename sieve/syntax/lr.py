"""A small LALR driver over the tables PLY builds.

PLY's own driver is general (tracking, debugging, error tokens) and pays for it on every
token; Sieve needs none of that, so this loop runs the same action and goto tables with the
least work per step and hands syntax errors to `recovery.Recovery`.
"""

from __future__ import annotations

from typing import Any

from sieve.syntax.grammar import StandardGrammar, build_tables

CALL, START_LIST, EXTEND_LIST, EMPTY_LIST = 0, 1, 2, 3
_SHORTCUTS = {"start-list": START_LIST, "extend-list": EXTEND_LIST, "empty-list": EMPTY_LIST}


class Tables:
    """PLY's tables for one grammar, plus the symbol by which each state is entered (which
    tells error recovery what is on the stack without tracking it on every step)."""

    def __init__(self, grammar: type[StandardGrammar]) -> None:
        ply_parser, self.log = build_tables(grammar)
        self.action: dict[int, dict[str, int]] = ply_parser.action
        self.goto: dict[int, dict[str, int]] = ply_parser.goto
        self.productions = [(p.name, p.len, p.func) for p in ply_parser.productions]
        # Rules marked in the grammar as list building, which the driver does inline.
        self.shortcuts = [
            _SHORTCUTS.get(getattr(getattr(grammar, p.func, None), "lr_shortcut", None), CALL)
            if p.func
            else CALL
            for p in ply_parser.productions
        ]
        # States whose every action is the same reduction: on a token they do not expect,
        # that reduction is made first, so that errors are found with complete constructs
        # on the stack.
        self.defaulted: dict[int, int] = {}
        for state, actions in self.action.items():
            steps = set(actions.values())
            if len(steps) == 1 and min(steps) < 0:
                self.defaulted[state] = steps.pop()
        # (name, length, rule function, shortcut) by production number; the driver calls
        # `rule(grammar_object, p)`, the grammar object holding the parse's context.
        self.reducers = [
            (name, length, getattr(grammar, func) if func else None, shortcut)
            for (name, length, func), shortcut in zip(self.productions, self.shortcuts, strict=True)
        ]
        # Lists indexed by state are quicker to read than the dictionaries PLY keeps.
        count = max(self.action) + 1
        self.action_rows = [self.action.get(state, {}) for state in range(count)]
        self.goto_rows = [self.goto.get(state, {}) for state in range(count)]
        self.entered_by: dict[int, str] = {0: "$end"}
        for actions in self.action.values():
            for symbol, target in actions.items():
                if target > 0:
                    self.entered_by[target] = symbol
        for gotos in self.goto.values():
            for symbol, target in gotos.items():
                self.entered_by[target] = symbol


_tables: dict[type, Tables] = {}


def tables_for(grammar: type[StandardGrammar]) -> Tables:
    tables = _tables.get(grammar)
    if tables is None:
        tables = _tables.setdefault(grammar, Tables(grammar))
    return tables


def run(tables: Tables, rules: StandardGrammar, tokens: Any, recovery: Any) -> Any:
    """Parses the tokens; returns the start symbol's value, or None when the recovery
    gave up."""
    defaulted = tables.defaulted
    reducers = tables.reducers
    rows = tables.action_rows
    goto_rows = tables.goto_rows
    states = [0]
    values: list[Any] = [None]
    types = tokens.types
    token_values = tokens.values
    index = 0
    state = 0
    while True:
        try:
            step = rows[state][types[index]]
        except KeyError:
            step = defaulted.get(state)
            if step is None:
                index = recovery.recover(index, states, values)
                if index is None:
                    return None
                state = states[-1]
                continue
        if step > 0:
            states.append(step)
            values.append(token_values[index])
            index += 1
            state = step
        elif step < 0:
            name, length, reduce, shortcut = reducers[-step]
            if shortcut == EXTEND_LIST:
                # x : x item  or  x : x separator item. The state below `item` is the one
                # `x` was entered with, which is also where the result goes.
                item = values.pop()
                if length == 3:
                    values.pop()
                del states[1 - length :]
                values[-1].append(item)
                state = states[-1]
                continue
            if shortcut == EMPTY_LIST:
                state = goto_rows[state][name]
                states.append(state)
                values.append([])
                continue
            if shortcut == START_LIST:
                values[-1] = [values[-1]]
                states.pop()
                state = goto_rows[states[-1]][name]
                states.append(state)
                continue
            if length:
                p = values[-length - 1 :]
                p[0] = None
                del values[-length:]
                del states[-length:]
            else:
                p = [None]
            reduce(rules, p)
            state = goto_rows[states[-1]][name]
            states.append(state)
            values.append(p[0])
        else:
            return values[-1]
