"""The colours of the charts, assigned here only: a direction of mobility (KZ → AZ) has the
same colour on the dashboard and in the explorer, whichever order the pair is asked in."""

from collections.abc import Iterable

# Distinguishable for the common colour-vision deficiencies when taken two by two.
PALETTE = ("#0b5cad", "#d9822b", "#1e7a46", "#8e44ad", "#b3261e", "#2c8c99")


def direction_colours(directions: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """A colour per direction (origin, destination): each pair of countries takes two
    colours of the palette in turn, in the order of their codes, and its direction from the
    lower code takes the first (AZ → KZ blue, KZ → AZ orange, for KZ-AZ and AZ-KZ alike)."""
    pairs = sorted({tuple(sorted(direction)) for direction in directions})
    colours: dict[tuple[str, str], str] = {}
    for index, (low, high) in enumerate(pairs):
        colours[(low, high)] = PALETTE[(2 * index) % len(PALETTE)]
        colours[(high, low)] = PALETTE[(2 * index + 1) % len(PALETTE)]
    return colours


def coloured(datasets: list[dict]) -> list[dict]:
    """The chart series with their ``colour``: a series with a ``direction`` (origin,
    destination) takes the direction's colour, any other series the palette's in turn."""
    by_direction = direction_colours(
        tuple(dataset["direction"]) for dataset in datasets if dataset.get("direction")
    )
    others = 0
    for dataset in datasets:
        if dataset.get("direction"):
            dataset["colour"] = by_direction[tuple(dataset["direction"])]
        else:
            dataset["colour"] = PALETTE[others % len(PALETTE)]
            others += 1
    return datasets
