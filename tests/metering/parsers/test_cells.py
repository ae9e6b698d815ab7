import numpy as np

from metering.parsers.cells import Cells


def test_from_texts_keeps_each_text_as_a_span():
    cells = Cells.from_texts(["Bezug", "", "Rücklieferung"])
    assert len(cells) == 3
    assert [cells.text(i) for i in range(3)] == ["Bezug", "", "Rücklieferung"]
    assert cells.lengths.tolist() == [5, 0, 14]


def test_factorize_numbers_distinct_values_by_first_appearance_and_ignores_blanks():
    cells = Cells.from_texts(["W", "W", " E ", "W", "E", "", "W"])
    codes, names = cells.factorize()
    assert names == ["W", "E", ""]
    assert codes.tolist() == [0, 0, 1, 0, 1, 2, 0]


def test_factorize_of_long_texts_takes_the_slow_path_with_the_same_result():
    long = "x" * 100
    codes, names = Cells.from_texts([long, "a", long]).factorize()
    assert (codes.tolist(), names) == ([0, 1, 0], [long, "a"])


def test_count_byte_counts_only_inside_the_cells():
    data = b"1,5;2.5;3,0"
    cells = Cells(data, np.array([0, 8]), np.array([3, 11]))
    assert cells.count_byte(ord(",")) == 2
    assert cells.count_byte(ord(".")) == 0


def test_take_selects_cells():
    cells = Cells.from_texts(["a", "b", "c"]).take(np.array([2, 0]))
    assert [cells.text(i) for i in range(2)] == ["c", "a"]
