/**
 * Strings built by formatting, as py-sql-injection and py-subprocess-shell judge them: SQL-looking
 * text built at run time is found wherever it is (as bandit B608 finds it), a known SQL call only
 * raising confidence; and a value the source fixes (a constant bound once to a literal, a literal
 * argument, a join of placeholders) counts as fixed whether it is joined with +, %, .format or an
 * f-string. As in python-rules.test.ts, lines that must be reported end with `# HIT`.
 */
import { describe, expect, it } from 'vitest';
import { expectHits, pythonFindings } from './helpers.js';

describe('py-sql-injection: SQL built by formatting, whatever receives it (bandit B608, B611)', () => {
  it('reports queries passed to database libraries the rule did not list, and Django RawSQL', async () => {
    const code = `from django.db.models.expressions import RawSQL
from myapp.models import User

def annotate(name):
    return User.objects.annotate(x=RawSQL("SELECT count(*) FROM orders WHERE owner = '%s'" % name, []))  # HIT

def flagged(name):
    return User.objects.annotate(flag=RawSQL("SELECT 1 WHERE '%s' = 'x'" % name, []))  # HIT

async def fetch(database, name):
    query = f"SELECT * FROM users WHERE name = '{name}'"
    return await database.fetch_all(query)  # HIT

def legacy(db, name):
    return db.query("SELECT * FROM users WHERE name = '%s'" % name)  # HIT

def remove(conn, name):
    return conn.exec_driver_sql(f"DELETE FROM users WHERE name = '{name}'")  # HIT

def safe(database, conn, name):
    conn.exec_driver_sql("DELETE FROM users WHERE name = %s", (name,))
    return database.fetch_all("SELECT * FROM users WHERE name = :name", {"name": name})
`;
    await expectHits(code, 'py-sql-injection');
    const found = await pythonFindings(code, 'py-sql-injection');
    expect(found.map((f) => `${f.severity}/${f.confidence}`)).toEqual(['high/high', 'high/high', 'high/high', 'high/high', 'high/high']);
    expect(found[2]!.message).toContain('fetch_all()');
  });

  it('a SQL statement built anywhere is reported where it is built: high, medium confidence when no known SQL call receives it', async () => {
    const code = `def build(name, table, run):
    sql = "UPDATE accounts SET owner = '" + name + "'"  # HIT
    run(sql)
    statement = "INSERT INTO audit (who) VALUES ('{}')".format(name)  # HIT
    return statement
`;
    await expectHits(code, 'py-sql-injection');
    const found = await pythonFindings(code, 'py-sql-injection');
    expect(found.map((f) => `${f.severity}/${f.confidence}`)).toEqual(['high/medium', 'high/medium']);
  });

  it("prose that reads like SQL in the middle of a sentence is bandit's low-confidence case: medium, never failing the default gate", async () => {
    const code = `import logging
log = logging.getLogger(__name__)

def evict(path, key, choices):
    log.info("Could not delete from %s: %s" % (path, key))  # HIT
    print(f"Deleted {key} from the cache")
    print(f"Please select one of {choices}")
    raise ValueError("update the settings file at " + path)
`;
    await expectHits(code, 'py-sql-injection');
    const found = await pythonFindings(code, 'py-sql-injection');
    expect(found.map((f) => `${f.severity}/${f.confidence}`)).toEqual(['medium/low']);
  });

  it('a template held in a name (module or local constant) and formatted at the call', async () => {
    const code = `QUERY = "SELECT * FROM users WHERE name = '%s'"
TEMPLATE = "SELECT * FROM users WHERE name = '{}'"

def by_percent(cur, name):
    cur.execute(QUERY % name)  # HIT

def by_format(cur, name):
    cur.execute(TEMPLATE.format(name))  # HIT

def local(cur, name):
    sql = "SELECT * FROM t WHERE name = '%s'"
    cur.execute(sql % (name,))  # HIT

def parameterised(cur, name):
    cur.execute(QUERY, (name,))
`;
    await expectHits(code, 'py-sql-injection');
    const found = await pythonFindings(code, 'py-sql-injection');
    expect(found.map((f) => f.confidence)).toEqual(['high', 'high', 'high']);
  });

  it('text appended with += to a SQL-looking variable is judged with what it is appended to', async () => {
    const code = `def search(conn, name, run):
    q = "SELECT * FROM t WHERE 1=1"
    q += f" AND name = '{name}'"
    conn.execute(q)  # HIT
    extra = "SELECT id FROM orders"
    extra += " WHERE customer = '%s'" % name  # HIT
    run(extra)
    fixed = "SELECT id FROM orders"
    fixed += " WHERE 1 = 1"
    conn.execute(fixed)
`;
    await expectHits(code, 'py-sql-injection');
  });

  it('one finding per query: several += onto it, a template formatted into its own name, a long concatenation', async () => {
    const code = `def filters(conn, a, b, run):
    q = "SELECT * FROM t WHERE 1=1"
    q += f" AND a = '{a}'"
    q += f" AND b = '{b}'"
    conn.execute(q)  # HIT
    r = "SELECT * FROM t WHERE 1=1"
    r += f" AND a = '{a}'"  # HIT
    r += f" AND b = '{b}'"
    run(r)

def reformatted(cur, name):
    sql = "SELECT * FROM t WHERE name = '%s'"
    sql = sql % name
    cur.execute(sql)  # HIT

def long(cur, a, b, c, d):
    cur.execute("SELECT * FROM t WHERE a = '" + a + "' AND b = '" + b + "' AND c = '" + c + "' AND d = '" + d + "'")  # HIT
`;
    await expectHits(code, 'py-sql-injection');
  });

  it('a concatenation thousands of links long is read as a loop: found, without a stack overflow', async () => {
    const code = 'def h(cur, x):\n    cur.execute("SELECT a FROM t WHERE " ' + ' + x + " OR "'.repeat(5000) + ')  # HIT\n';
    await expectHits(code, 'py-sql-injection');
  });
});

describe('fixed values inside formatting are fixed, however they are joined', () => {
  it('py-sql-injection: a module constant in +, %, .format and f-strings; a join of placeholders; a constant list of column names', async () => {
    const code = `TABLE = "users"
COLUMNS = ("id", "name")

def a(cur, uid, ids):
    cur.execute("SELECT * FROM " + TABLE + " WHERE id = %s", (uid,))
    cur.execute("SELECT * FROM {} WHERE id = %s".format(TABLE), (uid,))
    cur.execute("SELECT * FROM %s WHERE id = %%s" % TABLE, (uid,))
    cur.execute(f"SELECT * FROM {TABLE} WHERE id = %s", (uid,))
    cur.execute(f"SELECT count(*) FROM {TABLE}")
    cols = ", ".join(COLUMNS)
    cur.execute(f"SELECT {cols} FROM users WHERE id = %s", (uid,))
    placeholders = ", ".join(["%s"] * len(ids))
    cur.execute(f"SELECT * FROM users WHERE id IN ({placeholders})", ids)
    marks = ",".join("?" for _ in ids)
    cur.execute("SELECT * FROM users WHERE id IN (%s)" % marks, ids)
    cur.execute(f"SELECT * FROM {TABLE} WHERE id = {uid}")  # HIT

def rebound(cur, uid):
    table = "users"
    table = uid
    cur.execute(f"SELECT * FROM {table}")  # HIT

def shadowed(cur, TABLE):
    cur.execute(f"SELECT * FROM {TABLE}")  # HIT

def closure(cur):
    table = "users"
    def count():
        return cur.execute(f"SELECT count(*) FROM {table}")
    return count

def reassigned_inside(cur):
    table = "users"
    def pick(value):
        nonlocal table
        table = value
    def count():
        return cur.execute(f"SELECT count(*) FROM {table}")  # HIT
    return pick, count
`;
    await expectHits(code, 'py-sql-injection');
  });

  it('py-subprocess-shell: a module constant in an f-string or .format() is a fixed command, as it is with + and %', async () => {
    const code = `import subprocess
DIR = "/srv/data"

def listing(path):
    subprocess.run("ls " + DIR, shell=True)  # HIT
    subprocess.run("ls %s" % DIR, shell=True)  # HIT
    subprocess.run("ls {}".format(DIR), shell=True)  # HIT
    subprocess.run(f"ls {DIR}", shell=True)  # HIT
    subprocess.run(f"ls {DIR}/{path}", shell=True)  # HIT
`;
    await expectHits(code, 'py-subprocess-shell');
    const found = await pythonFindings(code, 'py-subprocess-shell');
    expect(found.map((f) => f.severity)).toEqual(['low', 'low', 'low', 'low', 'high']);
  });
});

describe('py-subprocess-shell: shells started other ways', () => {
  it('asyncio.create_subprocess_shell with a command built at run time is shell=True; a fixed one is not reported, as subprocess.getoutput', async () => {
    const code = `import asyncio

async def deploy(branch):
    await asyncio.create_subprocess_shell(f"git checkout {branch}")  # HIT
    await asyncio.create_subprocess_shell("make clean")
    await asyncio.create_subprocess_exec("git", "checkout", branch)
`;
    await expectHits(code, 'py-subprocess-shell');
  });

  it('os.exec* and os.spawn* that start a shell with -c (bandit B605/B606 area); other programs, and a fixed script given its values as arguments, are not', async () => {
    const code = `import os

def run(value):
    os.execl("/bin/sh", "sh", "-c", "grep " + value)  # HIT
    os.execlp("bash", "bash", "-lc", value)  # HIT
    os.execve("/bin/sh", ["sh", "-c", value], os.environ)  # HIT
    os.spawnl(os.P_WAIT, "/bin/sh", "sh", "-c", "make clean")  # HIT
    os.execle("/bin/sh", "sh", "-c", value, {"PATH": "/bin"})  # HIT
    os.execl("/bin/sh", "sh", "-c", 'grep -- "$1" app.log', "sh", value)
    os.execl("/usr/bin/git", "git", "-c", value)
    os.execv("/usr/bin/python3", ["python3", "-c", value])
    os.execl("/bin/sh", "sh", "script.sh", value)
`;
    await expectHits(code, 'py-subprocess-shell');
    const found = await pythonFindings(code, 'py-subprocess-shell');
    expect(found.map((f) => f.severity)).toEqual(['high', 'high', 'high', 'low', 'high']);
    expect(found[0]!.message).toContain('starts a shell with -c');
  });
});
