"""The exports write two header rows, the labels above the keys (cooperation.api.xlsx_bytes):
the import reads whichever of the first two rows names more of its columns."""

import pytest
from django.utils import translation

from cooperation.imports import ImportRefused, read_table
from mobility.imports import COLUMNS, MAX_ROWS

KEYS = "year,origin,destination,mobility_type,measure,value,source"
LABELS = "Year,Origin,Destination,Mobility type,Measure,Value,Source"
ROW = "2024,KZ,AZ,students,stock,333,1"


def read(*lines: str):
    return read_table(("\n".join(lines) + "\n").encode(), columns=COLUMNS, max_rows=MAX_ROWS)


@pytest.mark.parametrize(
    "lines",
    [(KEYS, ROW), (LABELS, KEYS, ROW), ("Год,Что-то,Ещё", KEYS, ROW)],
    ids=["keys only", "labels above keys", "an unreadable row above the keys"],
)
def test_the_row_that_names_the_columns_is_the_header(lines):
    table = read(*lines)
    assert [row.values["value"] for row in table.rows] == ["333"]
    assert [row.number for row in table.rows] == [len(lines)]


def test_a_first_row_of_data_is_never_taken_for_a_second_header():
    table = read(KEYS, ROW, ROW)
    assert len(table.rows) == 2


def test_no_header_is_still_refused_naming_the_first_row():
    with translation.override("en"):
        with pytest.raises(ImportRefused, match="Row 1 should hold the column headers"):
            read("a,b,c", "d,e,f")
        with pytest.raises(ImportRefused, match="Row 1 should hold the column headers"):
            read("a,b,c")
