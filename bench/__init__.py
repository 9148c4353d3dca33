"""`make bench`: measure the main jobs on data built for the purpose, against baselines.

Run from the repository root as `python -m bench [--quick] [--only P1,L1] …` (the Makefile
sets the environment). It is a developer tool next to the app, not part of it: it is not
installed with the app's packages, and `annotations/` holds no benchmark code.

Separate from `make test`: CI does not run it. Each row prints a figure and its ratio to a
baseline measured in the same run, on the same machine and database (absolute times on
shared machines are noise; ratios travel). It uses PostgreSQL when DATABASE_URL is set,
SQLite otherwise, where a baseline that needs PostgreSQL says so. `--quick` uses smaller
sizes and finishes in under a minute.

| # | job (module) | baseline |
| P1 | the article page with 2,000 overlapping claims (page) | the same page, 20 claims |
| P2 | saving a claim (htmx POST) under gunicorn, 16 clients (saves) | a bare 1-INSERT view |
| A1 | creating a claim through the API, 16 clients (api_create) | the htmx save, same load |
| P3 | CSV export (`export_annotations`), two sizes (export) | PostgreSQL's COPY, same join |
| P4 | bulk import (`articles_import`), two sizes (imports) | bare bulk_create, same rows |
| P5 | selection -> saved visible highlight in Chromium (highlight) | - |
| P6 | re-anchoring 1,000 claims after a correction (reanchor) | - |
| L1 | live updates: 50 tabs polling every 4 s, issue 9 (live) | the check flat out, 16 clients |
| S2 | suggested claims for a 100,000-character article (suggest) | re.finditer of the verbs |
| E1 | evidence capture: captures/s, save to "captured" in the poll (capture) | a plain fetch |
| M1 | two gunicorns, one PostgreSQL; cross-server poll; two workers (scale) | one gunicorn |

The machinery: `run` (the order of the rows, the clean-up, the table), `data` (text and
data builders, clean-up), `server` with `server_settings` and `server_urls` (the gunicorn
the HTTP rows run against), `loadgen` and `export_run` (processes of their own), `browser`
(Chromium's launch flags and the code point walker, shared with tests/browser), `report`;
`capture` has the page server on loopback and the worker process E1, M1 and
tests/test_scale_pg.py share.

All the data is the bench's own (articles with the outlet "make bench…", "make-bench"
users and sources) and is removed at the end, and at the start if a run crashed.

This package's `__init__` imports nothing: the load generator and the export runner start
from it (`python -m bench.loadgen`, `python -m bench.export_run`) before, or without,
Django.
"""
