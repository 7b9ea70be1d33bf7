def pytest_generate_tests(metafunc):
    """One test per filter a resource declares a ``case_<filter>`` for."""
    if "filter_name" in metafunc.fixturenames and metafunc.cls is not None:
        names = sorted(
            name[len("case_") :] for name in dir(metafunc.cls) if name.startswith("case_")
        )
        metafunc.parametrize("filter_name", names)
