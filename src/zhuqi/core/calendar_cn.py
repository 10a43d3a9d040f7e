"""Public holidays and make-up working days of the State Council's notices (国务院办公厅关于…部分节假日安排的通知)
for 2025 (国办发明电〔2024〕12号) and 2026. Loaded by `zhuqi migrate` through a data migration and editable
afterwards."""

from datetime import date, timedelta


def _span(first: date, last: date, name: str):
    day = first
    while day <= last:
        yield day, "holiday", name
        day += timedelta(days=1)


def days():
    yield from _span(date(2025, 1, 1), date(2025, 1, 1), "元旦")
    yield from _span(date(2025, 1, 28), date(2025, 2, 4), "春节")
    yield date(2025, 1, 26), "workday", "春节调休"
    yield date(2025, 2, 8), "workday", "春节调休"
    yield from _span(date(2025, 4, 4), date(2025, 4, 6), "清明节")
    yield from _span(date(2025, 5, 1), date(2025, 5, 5), "劳动节")
    yield date(2025, 4, 27), "workday", "劳动节调休"
    yield from _span(date(2025, 5, 31), date(2025, 6, 2), "端午节")
    yield from _span(date(2025, 10, 1), date(2025, 10, 8), "国庆节、中秋节")
    yield date(2025, 9, 28), "workday", "国庆节调休"
    yield date(2025, 10, 11), "workday", "国庆节调休"
    yield from _span(date(2026, 1, 1), date(2026, 1, 3), "元旦")
    yield date(2026, 1, 4), "workday", "元旦调休"
    yield from _span(date(2026, 2, 15), date(2026, 2, 23), "春节")
    yield date(2026, 2, 14), "workday", "春节调休"
    yield date(2026, 2, 28), "workday", "春节调休"
    yield from _span(date(2026, 4, 4), date(2026, 4, 6), "清明节")
    yield from _span(date(2026, 5, 1), date(2026, 5, 5), "劳动节")
    yield date(2026, 5, 9), "workday", "劳动节调休"
    yield from _span(date(2026, 6, 19), date(2026, 6, 21), "端午节")
    yield from _span(date(2026, 9, 25), date(2026, 9, 27), "中秋节")
    yield from _span(date(2026, 10, 1), date(2026, 10, 7), "国庆节")
    yield date(2026, 9, 20), "workday", "国庆节调休"
    yield date(2026, 10, 10), "workday", "国庆节调休"
