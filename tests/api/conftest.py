import sys


def pytest_generate_tests(metafunc):
    """One test per filter a resource declares a ``case_<filter>`` for."""
    if "filter_name" in metafunc.fixturenames and metafunc.cls is not None:
        names = sorted(
            name[len("case_") :] for name in dir(metafunc.cls) if name.startswith("case_")
        )
        metafunc.parametrize("filter_name", names)


def pytest_terminal_summary(terminalreporter) -> None:
    """Schemathesis's numbers, for the CI log: operations, requests, and the seed."""
    module = sys.modules.get("tests.api.test_schemathesis")
    if module is None or not module.STATS["requests"]:
        return
    terminalreporter.write_line(
        f"schemathesis: {len(module.STATS['operations'])} operations, "
        f"{module.STATS['requests']} requests, seed {module.SEED}, "
        f"at most {module.MAX_EXAMPLES} examples per operation"
    )
