"""The store of an integration test, read and written from Python (issue 20).

connect(LOCATION) is sqlite3.connect for a file and, for a postgres://
location (a database on the test cluster, tests/integration/lib.sh), a
small stand-in that runs each statement through psql: execute(sql, params)
with '?' placeholders, fetchone/fetchall/iteration over rows whose values
keep their types (a SELECT's rows travel as JSON), commit() and close().
Each statement commits on its own (psql's autocommit). `pg` tells which.
Name the columns of a SELECT when two would otherwise share a name (its
rows are built from row_to_json).
"""
import json
import sqlite3
import subprocess


def _literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (int, float)):
        return repr(v)
    return "'" + str(v).replace("'", "''") + "'"


def _bind(sql, params):
    out, i, quoted = [], 0, False
    for ch in sql:
        if ch == "'":
            quoted = not quoted
        if ch == "?" and not quoted:
            out.append(_literal(params[i]))
            i += 1
        else:
            out.append(ch)
    if i != len(params):
        raise ValueError("%d placeholders, %d parameters" % (i, len(params)))
    return "".join(out)


class _Rows:
    def __init__(self, rows):
        self._rows = rows

    def fetchone(self):
        return self._rows[0] if self._rows else None

    def fetchall(self):
        return list(self._rows)

    def __iter__(self):
        return iter(list(self._rows))


class PgConnection:
    pg = True

    def __init__(self, location):
        self.location = location
        self.text_factory = None  # accepted, unused: psql hands back UTF-8 text

    def _psql(self, sql):
        r = subprocess.run(["psql", "-X", "-qAt", "-v", "ON_ERROR_STOP=1", "-d", self.location],
                           input=sql.encode(), capture_output=True, check=False)
        if r.returncode:
            raise RuntimeError("psql: " + r.stderr.decode(errors="replace").strip())
        return r.stdout.decode()

    def execute(self, sql, params=()):
        sql = _bind(sql, tuple(params)).strip().rstrip(";")
        head = sql.split(None, 1)[0].upper() if sql else ""
        if head in ("SELECT", "WITH", "VALUES"):
            out = self._psql("SELECT coalesce(json_agg(row_to_json(q)), '[]') FROM (" + sql + ") q;")
            return _Rows([tuple(o.values()) for o in json.loads(out)])
        self._psql(sql + ";")
        return _Rows([])

    def commit(self):
        pass

    def close(self):
        pass


class SqliteConnection(sqlite3.Connection):
    pg = False


def connect(location, **kw):
    if location.startswith(("postgres://", "postgresql://")):
        return PgConnection(location)
    return sqlite3.connect(location, factory=SqliteConnection, **kw)


def connect_audit(location, **kw):
    """The store's audit log: on SQLite its own file, STORE-audit
    (store/sqlite_audit.c); on PostgreSQL the store's tables."""
    if location.startswith(("postgres://", "postgresql://")):
        return PgConnection(location)
    return sqlite3.connect(location + "-audit", factory=SqliteConnection, **kw)
