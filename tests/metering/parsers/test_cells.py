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


def test_concat_of_columns_sharing_a_buffer_copies_no_bytes():
    data = b"1;a\n2;b\n"
    first, second = Cells(data, np.array([0, 4]), np.array([1, 5])), Cells(data, np.array([2, 6]), np.array([3, 7]))
    joined = Cells.concat([first, second])
    assert joined.data is data
    assert [joined.text(i) for i in range(4)] == ["1", "2", "a", "b"]
    assert not joined.in_order()
    ordered = joined.in_file_order()
    assert [ordered.text(i) for i in range(4)] == ["1", "a", "2", "b"]
    assert ordered.count_byte(ord("a")) == 1


def test_concat_of_columns_with_their_own_buffers_joins_them():
    joined = Cells.concat([Cells.from_texts([" x", "y"]), Cells.from_texts(["z "])])
    assert [joined.raw_text(i) for i in range(3)] == [" x", "y", "z "]
    assert Cells.concat([]).data == b"" and len(Cells.concat([])) == 0
