"""The stored answers come back in the task file's order, numbers as numbers beyond it."""

from nianbao.task_answers import task_order


def test_task_ids_sort_as_the_task_file_orders_them_and_numbers_as_numbers():
    ids = ["10", "2", "1", "3.10", "3.2", "附1"]
    assert sorted(ids, key=task_order()) == ["1", "2", "3.2", "3.10", "10", "附1"]
    assert sorted(ids, key=task_order(["10", "1"])) == ["10", "1", "2", "3.2", "3.10", "附1"]
