"""Testing filters like code: declarative test files, the Pigeonhole testsuite language,
the pytest plugin, and what they report."""
