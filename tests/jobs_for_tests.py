"""Jobs for the queue's tests (tests/test_jobs.py), at module level so that a worker, in this
process or another one, finds them by their dotted path."""

from annotations import jobs

GAVE_UP: list[tuple] = []  # (args, error) of each on_give_up call, in this process


def note_gave_up(*args, error: BaseException, **kwargs) -> None:
    GAVE_UP.append((args, error))


@jobs.job()
def double(n: int) -> int:
    return n * 2


@jobs.job(queue=jobs.EVIDENCE)
def capture(record_id: int) -> int:
    return record_id


@jobs.job(queue=jobs.EVIDENCE)
def recheck(record_id: int) -> int:
    return record_id


@jobs.job(max_attempts=3, retry_on=(TimeoutError,), on_give_up=note_gave_up)
def flaky(record_id: int) -> None:
    raise TimeoutError(f"the site of record {record_id} did not answer")


@jobs.job(on_give_up=note_gave_up)
def broken(record_id: int) -> None:
    raise ValueError("a bug, not a passing failure")


@jobs.job()
def tick_tock() -> str:
    return "tock"


@jobs.job()
def stopped(record_id: int) -> None:
    raise SystemExit("the worker was stopped under this job")
