"""A readable listing of a Program, instruction by instruction with its source line, for
people debugging a script."""

from __future__ import annotations

from sieve.compiler.program import CALL_OPERAND, JUMP_OPERANDS, NO_VALUE, Call, Constant, Program


def dump(program: Program) -> str:
    lines = [
        f"program {program.name or '<script>'} ({program.dialect} dialect)",
        f"requires: {', '.join(program.capabilities) or '(nothing)'}",
        f"{len(program.instructions)} instructions, {len(program.calls)} calls, "
        f"{len(program.constants)} constants",
        "",
        "  addr  line  instruction",
    ]
    for address, instruction in enumerate(program.instructions):
        op = instruction.op
        parts = []
        for position, operand in enumerate(instruction.operands):
            if position in JUMP_OPERANDS.get(op, ()):
                parts.append(f"-> {operand}")
            elif op in CALL_OPERAND:
                parts.append(_call(program.calls[operand], program))
            elif operand != NO_VALUE:
                parts.append(_constant(program.constants[operand]))
        text = f"{op.name:<14} {' '.join(parts)}".rstrip()
        lines.append(f"  {address:>4}  {instruction.line:>4}  {text}")
    lines.append(f"  {len(program.instructions):>4}        (end)")
    return "\n".join(lines) + "\n"


def _call(call: Call, program: Program) -> str:
    parts = [call.name + (" (callout)" if call.callout else "")]
    for tag, value in call.tags:
        parts.append(
            f":{tag}" if value == NO_VALUE else f":{tag} {_constant(program.constants[value])}"
        )
    parts.extend(_constant(program.constants[index]) for index in call.positionals)
    return " ".join(parts)


def _constant(constant: Constant) -> str:
    value = constant.value
    if isinstance(value, int):
        shown = str(value)
    elif isinstance(value, tuple):
        shown = "[" + ", ".join(_quote(v) for v in value) + "]"
    else:
        shown = _quote(value)
    return f"{constant.callout}({shown})" if constant.callout else shown


def _quote(text: str) -> str:
    if len(text) > 40:
        text = text[:37] + "..."
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
