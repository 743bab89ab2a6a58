# The peer of `credcheck query` in `npm run bench` (issue 18): the same question, users with a console password and no
# MFA, asked of the same CSV with DuckDB from Python (scripts/setup.sh --bench installs it into .tools/venv).
# Usage: .tools/venv/bin/python bench/duckdbQuery.py <report.csv>  -> the user names as one JSON array, in report order
# Every column is read as text (all_varchar), as the report is text: 'true'/'false' compared without regard to case,
# as credcheck's normaliser reads them; the root row has password_enabled "not_supported" and is not selected.
import json
import sys

import duckdb

rows = duckdb.sql(
    "SELECT \"user\" FROM read_csv(?, header = true, all_varchar = true) "
    "WHERE lower(password_enabled) = 'true' AND lower(mfa_active) = 'false'",
    params=[sys.argv[1]],
).fetchall()
print(json.dumps([row[0] for row in rows]))
