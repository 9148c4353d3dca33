"""`make peers` (`python -m bench.peers`): doccano 1.8.4 and Label Studio 1.23.2 beside us on
the same data and the same five jobs, in one table (issue 25; README "Side by side with
doccano and Label Studio"). Not part of `make test`; CI does not run it.

The modules: `run` (each tool in turn, the table), `data` (the data every tool gets, from
bench/data.py's builders), `jobs` (the five jobs, timed alike for every tool), `doccano`,
`labelstudio` and `ours` (how each tool does them), `venvs` (the peers' virtualenvs and
environment), `procs` (servers started and stopped by their own pids, memory, time limits).

Like `bench`, this `__init__` imports nothing: `ours` starts from it in a process of its own.
"""
