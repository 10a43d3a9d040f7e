"""The file SMS gateway: idempotent by key at a cost per message that does not grow with its log."""

import json

from zhuqi.core.channels import FileSmsGateway


def write_log(path, lines: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        for i in range(lines):
            f.write(
                json.dumps({"key": f"old:{i}:sms", "mobile": "13800000000", "text": "【助企】旧消息"}) + "\n"
            )


def cost_of_sends(gateway: FileSmsGateway, n: int) -> tuple[int, int]:
    """Bytes of the log read and SQLite virtual-machine steps taken by n sends of new keys."""
    steps = [0]

    def count():
        steps[0] += 1
        return 0

    gateway._db.set_progress_handler(count, 1)
    before = gateway.bytes_read
    for i in range(n):
        gateway.send(key=f"new:{i}:sms", mobile="13800000000", text="【助企】新消息")
    gateway._db.set_progress_handler(None, 1)
    return gateway.bytes_read - before, steps[0]


def test_cost_per_message_is_the_same_at_300000_lines_as_at_1000(tmp_path):
    costs = {}
    for lines in (1_000, 300_000):
        path = tmp_path / f"sms{lines}.jsonl"
        write_log(path, lines)
        gateway = FileSmsGateway(path)
        gateway.send(
            key="old:7:sms", mobile="13800000000", text="again"
        )  # first use indexes the old log once
        assert gateway.bytes_read == path.stat().st_size
        costs[lines] = cost_of_sends(gateway, 50)
        assert sum(1 for _ in path.open(encoding="utf-8")) == lines + 50  # "old:7" was not sent twice
    assert costs[1_000][0] == costs[300_000][0] == 0  # the log is never reread
    assert costs[300_000][1] == costs[1_000][1]  # the same index operations, whatever the log's length


def test_a_key_already_sent_is_skipped_across_processes(tmp_path):
    path = tmp_path / "sms.jsonl"
    FileSmsGateway(path).send(key="k1", mobile="13800000000", text="a")
    FileSmsGateway(path).send(key="k1", mobile="13800000000", text="a")  # another process, same log
    assert [json.loads(line)["key"] for line in path.read_text().splitlines()] == ["k1"]


def test_a_send_killed_between_the_log_and_the_index_is_not_repeated(tmp_path):
    path = tmp_path / "sms.jsonl"
    gateway = FileSmsGateway(path)
    gateway.send(key="k1", mobile="13800000000", text="a")
    # What a worker killed after writing the line and before committing the index leaves behind:
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps({"key": "k2", "mobile": "13800000000", "text": "b"}) + "\n")
    restarted = FileSmsGateway(path)
    restarted.send(key="k2", mobile="13800000000", text="b")  # the retry of the same message
    restarted.send(key="k3", mobile="13800000000", text="c")
    assert [json.loads(line)["key"] for line in path.read_text().splitlines()] == ["k1", "k2", "k3"]


def test_a_line_cut_short_by_a_crash_is_not_counted_as_sent_and_spoils_nothing(tmp_path):
    path = tmp_path / "sms.jsonl"
    FileSmsGateway(path).send(key="k1", mobile="13800000000", text="a")
    with path.open("a", encoding="utf-8") as f:
        f.write('{"key": "k2", "mob')  # killed in the middle of the write
    FileSmsGateway(path).send(key="k2", mobile="13800000000", text="b")
    lines = path.read_text().splitlines()
    assert lines[1] == '{"key": "k2", "mob'
    assert [json.loads(line)["key"] for line in (lines[0], lines[2])] == ["k1", "k2"]
