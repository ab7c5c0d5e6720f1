"""Fuzz whole runs. The fuzz bytes drive hypothesis (`fuzz_one_input`) to draw a valid
script over the whole registry (`tests/runtime/strategies.valid_scripts`) and a message
from the realistic to the hostile (`messages`). Oracle: the script compiles, `run()` never
raises, its result passes `strategies.assert_well_formed` (no internal error; a failed
run keeps the implicit keep, has no actions and gives a reason) and it ends within twice its
CPU limit. A finding is saved as script + message (`oracles.encode_run_case`), which does
not depend on hypothesis's byte encoding."""

from __future__ import annotations

from harness import instrument, main

instrument()
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from oracles import check_compiled_run, encode_run_case  # noqa: E402

import sieve  # noqa: E402
from tests.runtime.strategies import messages, valid_scripts  # noqa: E402

_last: list[bytes] = [b""]


@settings(
    database=None,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@given(st.data())
def _one_case(data: st.DataObject) -> None:
    source = data.draw(valid_scripts())
    message = data.draw(messages())
    _last[0] = encode_run_case(source, message)
    check_compiled_run(sieve.compile(source), message)


def one_input(data: bytes) -> None:
    _last[0] = b""
    try:
        _one_case.hypothesis.fuzz_one_input(data)
    except Exception as error:
        raise RunFinding(_last[0], error) from error


class RunFinding(Exception):
    """Carries the failing case (script + message) to the recorder in place of the fuzz
    bytes, and the original error for its signature."""

    def __init__(self, case: bytes, error: BaseException) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.case = case
        self.error = error


if __name__ == "__main__":
    # hypothesis needs a few kilobytes of choices for a script and a message: start there.
    main(
        "run",
        one_input,
        saved=lambda data, error: getattr(error, "case", data) or data,
        defaults=("-max_len=8192", "-len_control=0"),
    )
