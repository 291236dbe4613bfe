/**
 * Each Python rule on real-looking code. In every snippet the lines that must be reported end with
 * `# HIT`; every other line is a negative example (often a false-positive trap the rule must pass).
 */
import { describe, expect, it } from 'vitest';
import { bestCpuMs } from '../helpers/cpu-time.js';
import { expectHits, linesOf, marked, pythonFindings } from './helpers.js';

describe('imports', () => {
  it('py-dynamic-import: computed module names, saying where the name comes from', async () => {
    const code = `import importlib
import importlib as il
from importlib import import_module as load

PLUGINS = "myapp.plugins.csv"

def load_plugin(name):
    return importlib.import_module(name)  # HIT

def from_user():
    wanted = input("module: ")
    return load(wanted)  # HIT

def fixed():
    json = importlib.import_module("json")
    csv = il.import_module(PLUGINS)
    return __import__("os.path")

def computed(kind):
    return __import__("handlers." + kind)  # HIT
`;
    await expectHits(code, 'py-dynamic-import');
    const [param, user] = await pythonFindings(code, 'py-dynamic-import');
    expect(param!.message).toContain('parameter `name` of load_plugin()');
    expect(user!.message).toContain('input()');
    expect(user!.severity).toBe('high');
    expect(user!.confidence).toBe('high');
  });

  it('py-import-from-path: imp.load_source, SourceFileLoader, spec_from_file_location, zipimport', async () => {
    const code = `import imp
import zipimport
from importlib.machinery import SourceFileLoader
import importlib.util

def load_config(path):
    return imp.load_source("config", path)  # HIT

def load_plugin(plugin_path):
    spec = importlib.util.spec_from_file_location("plugin", plugin_path)  # HIT
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

loader = SourceFileLoader("settings", "/etc/myapp/settings.py")  # HIT
bundle = zipimport.zipimporter(sys.argv[1])  # HIT
`;
    await expectHits(code, 'py-import-from-path');
    const found = await pythonFindings(code, 'py-import-from-path');
    expect(found.find((f) => f.line === 15)!.severity).toBe('low'); // a fixed path
    expect(found.find((f) => f.line === 16)!.severity).toBe('high'); // from the command line
  });

  it('py-sys-path-modification: sys.path and PYTHONPATH changed at run time', async () => {
    const code = `import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))  # HIT
sys.path.append("/opt/vendor")  # HIT
sys.path += ["plugins"]  # HIT
os.environ["PYTHONPATH"] = "/srv/app"  # HIT
os.environ["APP_MODE"] = "production"
os.putenv("PYTHONPATH", "/srv/app")  # HIT
print(sys.path)
paths = list(sys.path)
`;
    await expectHits(code, 'py-sys-path-modification');
  });
});

describe('dangerous calls', () => {
  it('py-eval-exec: eval, exec and compile on non-literals; a literal eval("1+1") in a test file is fine', async () => {
    const code = `import ast

def calculate(expression):
    return eval(expression)  # HIT

def run_snippet(request):
    code = request.form["code"]
    exec(code)  # HIT

def safe():
    total = eval("1 + 1")
    data = ast.literal_eval(text)
    compiled = compile("x = 1", "<string>", "exec")
    return total

def build(field):
    return compile(f"obj.{field}", "<expr>", "eval")  # HIT
`;
    await expectHits(code, 'py-eval-exec');
    const found = await pythonFindings(code, 'py-eval-exec');
    expect(found[1]!.severity).toBe('critical'); // from the HTTP request
    expect(found[1]!.message).toContain('the HTTP request');
    await expectHits('def test_math():\n    assert eval("1+1") == 2\n', 'py-eval-exec', 'tests/test_math.py');
  });

  it('py-eval-exec: eval(compile(...)) is one finding, and its origin is the code compiled, not the file name given for tracebacks', async () => {
    // flask's `flask shell`, as Python's interactive shell does: the code comes from the file PYTHONSTARTUP names.
    const startup = `import os

def shell():
    ctx = {}
    startup = os.environ.get("PYTHONSTARTUP")
    if startup and os.path.isfile(startup):
        with open(startup) as f:
            eval(compile(f.read(), startup, "exec"), ctx)  # HIT
`;
    await expectHits(startup, 'py-eval-exec');
    const [found] = await pythonFindings(startup, 'py-eval-exec');
    expect(found).toMatchObject({ severity: 'high', confidence: 'medium', column: 13 });
    expect(found!.message).not.toContain('environment');
    // The code itself from outside: the outer call, rated by where the compiled text comes from.
    const remote = 'def run(request):\n    exec(compile(request.form["code"], "<form>", "exec"))  # HIT\n';
    await expectHits(remote, 'py-eval-exec');
    expect((await pythonFindings(remote, 'py-eval-exec'))[0]).toMatchObject({ severity: 'critical', confidence: 'high' });
    // compile(*args) / compile(**kw): the code is not written here; the outer call is the finding.
    await expectHits('import sys\nexec(compile(*sys.argv[1:3], "exec"))  # HIT\n', 'py-eval-exec');
    await expectHits('def run(request):\n    exec(compile(**request.json))  # HIT\n', 'py-eval-exec');
    // compile() alone, or kept for later, is still reported.
    await expectHits('def build(src):\n    code = compile(src, "<x>", "exec")  # HIT\n    return code\n', 'py-eval-exec');
  });

  it('py-eval-exec: a method named eval does not hide the builtin; a module-level definition or assignment does', async () => {
    await expectHits('class Calculator:\n    def eval(self, expr):\n        return eval(expr)  # HIT\n\n    def exec(self, code):\n        exec(code)  # HIT\n', 'py-eval-exec');
    await expectHits('import sys\n\nclass Shell:\n    def eval(self, expr):\n        pass\n\neval(sys.argv[1])  # HIT\n', 'py-eval-exec');
    await expectHits('def eval(expr):\n    return 0\n\nclass Calc:\n    def run(self, expr):\n        return eval(expr)\n', 'py-eval-exec');
    await expectHits('from safe_eval import safe_eval\neval = safe_eval\n\ndef run(expr):\n    return eval(expr)\n', 'py-eval-exec');
    await expectHits('try:\n    from simpleeval import simple_eval as eval\nexcept ImportError:\n    def eval(expr):\n        raise RuntimeError(expr)\n\ndef run(expr):\n    return eval(expr)\n', 'py-eval-exec');
  });

  it('py-eval-exec: Python 2 exec statements too', async () => {
    await expectHits('def run(code):\n    exec code  # HIT\n    exec "print 1"\n', 'py-eval-exec', 'legacy/old.py');
  });

  it('py-unsafe-deserialization: pickle, cPickle, dill, shelve, marshal, jsonpickle, pandas.read_pickle', async () => {
    const code = `import pickle
import cPickle
import dill
import shelve
import marshal
import jsonpickle
import pandas as pd
import numpy as np
import json

def load_cache(path):
    with open(path, "rb") as fh:
        return pickle.load(fh)  # HIT

def from_socket(sock):
    return cPickle.loads(sock.recv(4096))  # HIT

session = dill.loads(blob)  # HIT
db = shelve.open("cache.db")  # HIT
code = marshal.loads(data)  # HIT
obj = jsonpickle.decode(payload)  # HIT
frame = pd.read_pickle("frame.pkl")  # HIT
arr = np.load("weights.npy")
objs = np.load("objects.npy", allow_pickle=True)  # HIT
config = json.load(open("config.json"))
text = pickle.dumps(config)
`;
    await expectHits(code, 'py-unsafe-deserialization');
  });

  it('py-torch-load: without weights_only=True', async () => {
    const code = `import torch

model = torch.load("model.pt")  # HIT
state = torch.load(path, map_location="cpu", weights_only=False)  # HIT
weights = torch.load(path, weights_only=True)
other = torch.load(path, **options)
`;
    await expectHits(code, 'py-torch-load');
    const found = await pythonFindings(code, 'py-torch-load');
    expect(found.map((f) => f.severity)).toEqual(['medium', 'high']);
  });

  it('py-yaml-load: without a safe loader, seen through aliases; yaml.load(f, Loader=yaml.SafeLoader) is fine', async () => {
    const code = `import yaml
import yaml as y
from yaml import SafeLoader, CSafeLoader as Fast, load as yload

def read(path):
    with open(path) as f:
        a = yaml.load(f)  # HIT
        b = yaml.load(f, Loader=yaml.SafeLoader)
        c = y.load(f, Loader=y.FullLoader)  # HIT
        d = yaml.load(f, SafeLoader)
        e = yload(f, Loader=Fast)
        g = yaml.safe_load(f)
        h = list(yaml.load_all(f, Loader=yaml.Loader))  # HIT
        i = yaml.unsafe_load(f)  # HIT
        return a, b, c, d, e, g, h, i
`;
    await expectHits(code, 'py-yaml-load');
  });

  it('py-subprocess-shell: shell=True, through `from subprocess import run as r`; a list without shell is fine', async () => {
    const code = `import subprocess
from subprocess import run as r, Popen

def deploy(branch):
    subprocess.run(["git", "checkout", branch], check=True)
    r(f"git checkout {branch}", shell=True)  # HIT
    Popen("make clean", shell=True)  # HIT
    subprocess.check_output(["ls", "-l"])
    subprocess.getoutput("uname -a")
    return subprocess.getoutput("du -sh " + branch)  # HIT
`;
    await expectHits(code, 'py-subprocess-shell');
    const found = await pythonFindings(code, 'py-subprocess-shell');
    expect(found[1]!.severity).toBe('low'); // a fixed command through the shell
  });

  it('py-subprocess-shell: shell= as Python reads it: any value not plainly false starts a shell; a flag decided at run time is medium confidence', async () => {
    const code = `import os
import subprocess
from subprocess import run as r
SHELL = True
NO_SHELL = False

def deploy(cmd, use_shell, opts):
    subprocess.run(cmd, shell="yes")  # HIT
    subprocess.run(cmd, shell=1)  # HIT
    r(cmd, shell=SHELL)  # HIT
    subprocess.run(cmd, shell=use_shell)  # HIT
    subprocess.Popen(cmd, shell=(os.name == "nt"))  # HIT
    subprocess.call("make clean", shell=opts.shell)  # HIT
    subprocess.run(cmd, shell=False)
    subprocess.run(cmd, shell=None)
    subprocess.run(cmd, shell=0)
    subprocess.run(cmd, shell="")
    subprocess.run(cmd, shell=[])
    subprocess.run(cmd, shell=NO_SHELL)
    subprocess.run(["ls", "-l"], shell=(False))
`;
    await expectHits(code, 'py-subprocess-shell');
    const found = await pythonFindings(code, 'py-subprocess-shell');
    expect(found.map((f) => f.confidence)).toEqual(['high', 'high', 'high', 'medium', 'medium', 'medium']);
    expect(found.map((f) => f.severity)).toEqual(['high', 'high', 'high', 'high', 'high', 'low']);
    expect(found[3]!.message).toContain('when `shell=use_shell` is true');
  });

  it('py-os-system: os.system and os.popen on non-literals; a fixed command low, as subprocess with shell=True and bandit B605', async () => {
    const code = `import os
from os import popen

def archive(name):
    os.system("tar czf /tmp/%s.tgz data" % name)  # HIT
    os.system("sync")  # HIT
    out = popen("ls " + name).read()  # HIT
    system("sync")
    return out
`;
    await expectHits(code, 'py-os-system');
    const found = await pythonFindings(code, 'py-os-system');
    expect(found.map((f) => f.severity)).toEqual(['high', 'low', 'high']);
    expect(found[1]!.message).toContain('fixed command');
    // The same fixed command through subprocess's shell is reported the same way.
    const viaSubprocess = await pythonFindings('import subprocess\nsubprocess.run("sync", shell=True)\n', 'py-subprocess-shell');
    expect(viaSubprocess.map((f) => f.severity)).toEqual([found[1]!.severity]);
  });

  it('py-sql-injection: %, .format, f-strings and + into execute/executemany/raw; parameterised SQL is fine', async () => {
    const code = `def find_user(cursor, name, ids):
    cursor.execute("SELECT * FROM users WHERE name = '%s'" % name)  # HIT
    cursor.execute("SELECT * FROM users WHERE name = %s", (name,))
    cursor.execute("SELECT * FROM users WHERE name = ?", [name])
    cursor.execute("DELETE FROM sessions WHERE user = '{}'".format(name))  # HIT
    cursor.executemany(f"INSERT INTO log (user) VALUES ('{name}')", rows)  # HIT
    query = "SELECT id FROM orders WHERE customer = '" + name + "'"
    cursor.execute(query)  # HIT
    fixed = "SELECT count(*) FROM users"
    cursor.execute(fixed)
    return User.objects.raw(f"SELECT * FROM auth_user WHERE id IN ({ids})")  # HIT

def unrelated(executor, job):
    executor.execute("job-%s" % job)
`;
    await expectHits(code, 'py-sql-injection');
  });

  it('py-xml-parser: stdlib and lxml parsers suggest defusedxml; defusedxml itself is fine', async () => {
    const code = `import xml.etree.ElementTree as ET
from xml.dom import minidom
from xml.sax import make_parser
from lxml import etree
import defusedxml.ElementTree as DET
from defusedxml.minidom import parseString

tree = ET.parse("feed.xml")  # HIT
doc = minidom.parseString(body)  # HIT
parser = make_parser()  # HIT
root = etree.fromstring(payload)  # HIT
safe_parser = etree.XMLParser(resolve_entities=False, no_network=True)
safe = DET.parse("feed.xml")
also_safe = parseString(body)
`;
    await expectHits(code, 'py-xml-parser');
    const found = await pythonFindings(code, 'py-xml-parser');
    expect(found[0]!.fix).toContain('defusedxml.ElementTree.parse');
  });

  it('py-http-no-timeout: requests and urllib without timeout, sessions followed, httpx only with timeout=None', async () => {
    const code = `import requests
import httpx
from urllib.request import urlopen

def fetch(url):
    a = requests.get(url)  # HIT
    b = requests.post(url, json={}, timeout=5)
    with requests.Session() as s:
        c = s.get(url)  # HIT
    client = httpx.Client()
    d = client.get(url)
    e = httpx.get(url, timeout=None)  # HIT
    f = urlopen(url)  # HIT
    g = urlopen(url, timeout=10)
    h = requests.get(url, **kwargs)
    return a, b, c, d, e, f, g, h

class Api:
    def __init__(self):
        self.session = requests.Session()

    def ping(self):
        return self.session.head("https://api.example.com/ping")  # HIT
`;
    await expectHits(code, 'py-http-no-timeout');
  });

  it('py-exception-leak: except Exception as e, then printed or returned to the caller', async () => {
    const code = `import logging
log = logging.getLogger(__name__)

def handler(request):
    try:
        return process(request)
    except Exception as e:
        return {"error": str(e)}, 500  # HIT

def job():
    try:
        run()
    except Exception as exc:
        print(f"job failed: {exc}")  # HIT

def fine():
    try:
        run()
    except Exception as e:
        log.exception("run failed")
        return {"error": "internal error"}, 500

def narrow():
    try:
        return int(value)
    except ValueError as e:
        return str(e)
`;
    await expectHits(code, 'py-exception-leak');
  });

  it('py-mktemp: tempfile.mktemp, not mkstemp', async () => {
    await expectHits('import tempfile\nname = tempfile.mktemp(suffix=".csv")  # HIT\nfd, path = tempfile.mkstemp()\n', 'py-mktemp');
  });

  it('py-assert-access-control: asserts on permissions outside tests', async () => {
    const code = `def delete_project(request, project):
    assert request.user.is_admin, "admins only"  # HIT
    assert project is not None
    assert user.has_perm("projects.delete")  # HIT
    project.delete()
`;
    await expectHits(code, 'py-assert-access-control');
    await expectHits('def test_admin(client):\n    assert client.user.is_admin\n', 'py-assert-access-control', 'tests/test_views.py');
  });
});

describe('module constants (a name counts as a literal only when nothing else can bind it)', () => {
  // Each snippet is its own module: a name assigned one literal at module level, then changed,
  // shadowed or rebound some other way before (or where) a rule reads it.
  const modules: [string, string, string][] = [
    ['augmented assignment', 'import os, sys\nCMD = "ls -l "\nCMD += sys.argv[1]\nos.system(CMD)  # HIT\n', 'py-os-system'],
    ['reassigned in a branch', 'import sys\nEXPR = "1+1"\nif len(sys.argv) > 1:\n    EXPR = sys.argv[1]\nprint(eval(EXPR))  # HIT\n', 'py-eval-exec'],
    ['a parameter shadows it', 'import os\nquery = "ls"\ndef handler(query):\n    os.system(query)  # HIT\n    return eval(query)  # HIT\n', 'py-os-system py-eval-exec'],
    ['a local shadows it', 'import os\nquery = "ls"\ndef handler(user):\n    query = "ls " + user\n    os.system(query)  # HIT\n', 'py-os-system'],
    ['a lambda parameter shadows it', 'CODE = "1"\nrun = lambda CODE: eval(CODE)  # HIT\n', 'py-eval-exec'],
    ['a for target', 'import os, sys\nCMD = "ls"\nfor CMD in sys.argv[1:]:\n    pass\nos.system(CMD)  # HIT\n', 'py-os-system'],
    ['a comprehension variable', 'import os, sys\nCMD = "ls"\n[os.system(CMD) for CMD in sys.argv]  # HIT\n', 'py-os-system'],
    ['with-as', 'import os\nCMD = "ls"\nwith open("cmd.txt") as CMD:\n    pass\nos.system(CMD)  # HIT\n', 'py-os-system'],
    ['a walrus', 'import os\nCMD = "ls"\nif (CMD := input()):\n    pass\nos.system(CMD)  # HIT\n', 'py-os-system'],
    ['a global declaration in a function', 'import os\nCMD = "ls"\ndef configure(value):\n    global CMD\n    CMD = value\nos.system(CMD)  # HIT\n', 'py-os-system'],
    ['del', 'import os\nCMD = "ls"\ndel CMD\nos.system(CMD)  # HIT\n', 'py-os-system'],
    ['an import binding it', 'import os\nCMD = "ls"\nfrom settings import CMD\nos.system(CMD)  # HIT\n', 'py-os-system'],
    ['an except alias', 'import os\nCMD = "ls"\ntry:\n    pass\nexcept OSError as CMD:\n    pass\nos.system(CMD)  # HIT\n', 'py-os-system'],
    ['a tuple assignment', 'import os, sys\nCMD = "ls"\nCMD, other = sys.argv[1], 2\nos.system(CMD)  # HIT\n', 'py-os-system'],
    ['a star import', 'import os\nCMD = "ls"\nfrom settings import *\nos.system(CMD)  # HIT\n', 'py-os-system'],
    ['a fixed constant, used in a function that does not bind it', 'import os\nCMD = "ls -l"\nPART = "ls " + "-a"\ndef handler(user):\n    os.system(CMD)\n    os.system(PART)\n    return [eval(CMD) for x in user]\n', 'py-eval-exec'],
  ];
  it('a fixed constant run through the shell is the low finding of a fixed command, not a command built at run time', async () => {
    const code = 'import os\nCMD = "ls -l"\nPART = "ls " + "-a"\ndef handler(user):\n    os.system(CMD)\n    os.system(PART)\n';
    expect((await pythonFindings(code, 'py-os-system')).map((f) => [f.line, f.severity])).toEqual([
      [5, 'low'],
      [6, 'low'],
    ]);
  });
  for (const [name, code, rules] of modules) {
    it(name, async () => {
      const found = (await Promise.all(rules.split(' ').map((rule) => linesOf(code, rule)))).flat().sort((a, b) => a - b);
      expect(found).toEqual(marked(code));
    });
  }
});

describe('protections turned off (bandit parity)', () => {
  it('py-tls-verify-disabled: requests and httpx with verify=False, through aliases and sessions; verify=True or a CA bundle is fine', async () => {
    const code = `import requests
import requests as r
import httpx
from requests import Session
from httpx import AsyncClient as AC

def fetch(url, ca_bundle):
    a = requests.get(url, verify=False, timeout=5)  # HIT
    b = r.post(url, json={}, verify=False, timeout=5)  # HIT
    c = requests.get(url, verify=True, timeout=5)
    d = requests.get(url, verify=ca_bundle, timeout=5)
    e = requests.get(url, verify="/etc/ssl/certs/ca.pem", timeout=5)
    s = Session()
    s.verify = False  # HIT
    f = s.get(url, verify=False, timeout=5)  # HIT
    client = httpx.Client(verify=False)  # HIT
    g = httpx.get(url, verify=False)  # HIT
    h = requests.request("GET", url, timeout=5)
    return a, b, c, d, e, f, g, h

async def fetch_async(url):
    async with AC(verify=False) as client:  # HIT
        return await client.get(url)

def unrelated(checker, url):
    checker.get(url, verify=False)
    options = {"verify": False}
    settings.verify = False
    return validate(url, verify=False)
`;
    await expectHits(code, 'py-tls-verify-disabled');
    const [first] = await pythonFindings(code, 'py-tls-verify-disabled');
    expect(first).toMatchObject({ severity: 'high', confidence: 'high' });
    expect(first!.message).toContain('requests.get');
    expect(first!.fix).toMatch(/verify=/);
  });

  it('py-tls-verify-disabled: aiohttp with ssl=False or verify_ssl=False, on sessions and connectors the file ties to aiohttp; an SSL context or ssl=None is fine', async () => {
    const code = `import ssl
import aiohttp
from aiohttp import ClientSession, TCPConnector as TC

async def fetch(url, context):
    async with aiohttp.ClientSession() as session:
        async with session.get(url, ssl=False) as resp:  # HIT
            await resp.text()
        await session.post(url, data=b"", ssl=False)  # HIT
        await session.get(url, ssl=context)
        await session.get(url, ssl=None)
        await session.get(url)
    conn = aiohttp.TCPConnector(ssl=False)  # HIT
    legacy = aiohttp.ClientSession(connector=aiohttp.TCPConnector(verify_ssl=False))  # HIT
    other = TC(ssl=False)  # HIT
    fine = aiohttp.TCPConnector(ssl=ssl.create_default_context())
    s2 = ClientSession()
    await s2.request("GET", url, ssl=False)  # HIT
    await s2.get(url, verify_ssl=False)  # HIT
    async with aiohttp.request("GET", url, ssl=False) as r:  # HIT
        pass
    return conn, legacy, other, fine

def unrelated(client, url, loop):
    client.get(url, ssl=False)
    server.start(ssl=False)
    smtp = SMTP(host, ssl=False)
    loop.create_connection(factory, host, 443, ssl=False)
    return connect(url, verify_ssl=False)
`;
    await expectHits(code, 'py-tls-verify-disabled');
    const found = await pythonFindings(code, 'py-tls-verify-disabled');
    expect(found[0]!.message).toContain('ssl=False');
    expect(found[0]!.message).toContain('aiohttp.ClientSession().get');
    expect(found[0]!.fix).toMatch(/ssl=/);
  });

  it('py-weak-hash: hashlib md5 and sha1 (and new("md5")) unless usedforsecurity=False; sha256 is fine', async () => {
    const code = `import hashlib
import hashlib as hl
from hashlib import md5, sha1 as s1, new

ALGORITHM = "sha1"

def fingerprint(data, password, name):
    a = hashlib.md5(password.encode()).hexdigest()  # HIT
    b = hl.sha1(data)  # HIT
    c = md5(data)  # HIT
    d = s1()  # HIT
    e = hashlib.new("md5", data)  # HIT
    f = new('SHA1')  # HIT
    g = hashlib.new(name=ALGORITHM)  # HIT
    h = hashlib.md5(data, usedforsecurity=False).hexdigest()
    i = hashlib.new("sha1", usedforsecurity=False)
    j = hashlib.sha256(data).hexdigest()
    k = hashlib.new("sha256")
    l = hashlib.new(name)
    m = hashlib.blake2b(data, digest_size=16)
    n = hashlib.md5(**options)
    return a, b, c, d, e, f, g, h, i, j, k, l, m, n

def unrelated(data, checksum):
    return checksum.md5(data), compute.sha1(data)
`;
    await expectHits(code, 'py-weak-hash');
    const [first, second] = await pythonFindings(code, 'py-weak-hash');
    expect(first).toMatchObject({ severity: 'medium', confidence: 'high' }); // a password hashed with MD5
    expect(first!.message).toContain('MD5');
    expect(second).toMatchObject({ severity: 'medium', confidence: 'medium' }); // could be a checksum
    expect(first!.fix).toContain('usedforsecurity=False');
  });

  it('py-jinja2-autoescape: Environment with autoescape=False or without autoescape; True, select_autoescape() or a callable is fine', async () => {
    const code = `import jinja2
import jinja2 as j2
from jinja2 import Environment as Env, FileSystemLoader, select_autoescape

pages = jinja2.Environment(loader=FileSystemLoader("templates"), autoescape=False)  # HIT
mails = Env(loader=FileSystemLoader("mail"))  # HIT
reports = j2.Environment(  # HIT
    loader=j2.PackageLoader("app"),
    autoescape=None,
)
safe = jinja2.Environment(loader=FileSystemLoader("templates"), autoescape=True)
chosen = Env(autoescape=select_autoescape(["html", "xml"]))
also_chosen = j2.Environment(autoescape=j2.select_autoescape())
by_name = Env(autoescape=lambda name: name.endswith(".html"))
configured = Env(**JINJA_OPTIONS)

class Environment:
    pass

local = Environment()
`;
    await expectHits(code, 'py-jinja2-autoescape');
    const found = await pythonFindings(code, 'py-jinja2-autoescape');
    expect(found.map((f) => `${f.severity}/${f.confidence}`)).toEqual(['high/high', 'high/medium', 'high/high']);
    expect(found[0]!.fix).toContain('select_autoescape');
  });

  it('py-flask-debug: app.run(debug=True) on a Flask app, or any .run(debug=True) in a file importing flask', async () => {
    const app = `import subprocess
import asyncio
from flask import Flask as F
from myproject.factory import create_app

app = F(__name__)
api = create_app()

if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)  # HIT
    api.run(debug=True)  # HIT
    app.run(debug=False)
    app.run(port=8000)
    subprocess.run(["make"], debug=True)
    asyncio.run(main(), debug=True)
`;
    await expectHits(app, 'py-flask-debug');
    const found = await pythonFindings(app, 'py-flask-debug');
    expect(found.map((f) => `${f.severity}/${f.confidence}`)).toEqual(['high/high', 'high/medium']);
    expect(found[0]!.fix).toMatch(/FLASK_DEBUG|debug/);
    // Without flask in the file, a .run(debug=True) is someone else's.
    await expectHits('import unittest\nrunner = Runner()\nrunner.run(debug=True)\n', 'py-flask-debug');
  });

  it('py-flask-debug: many imports and many .run(debug=True) calls cost time linear in the file', async () => {
    const { createPythonScanner } = await import('../../src/scan/python/scan-python.js');
    const { PYTHON_RULES } = await import('../../src/scan/python/rules/index.js');
    const scanner = await createPythonScanner({ parseTimeoutMs: 60_000, rules: PYTHON_RULES.filter((r) => r.info.id === 'py-flask-debug') });
    const file = (n: number) => 'import flask\n' + Array.from({ length: n }, (_, i) => `import m${i}\n`).join('') + 'app.run(debug=True)\n'.repeat(n);
    const small = file(2_000);
    const large = file(20_000);
    expect(scanner.scan('app/x.py', small, false).findings.length).toBe(2_000);
    let verdict = '';
    try {
      for (const budgetMs of [0, 50, 200]) {
        const smallMs = bestCpuMs(() => void scanner.scan('app/x.py', small, false), budgetMs);
        const largeMs = bestCpuMs(() => void scanner.scan('app/x.py', large, false), budgetMs);
        verdict = largeMs <= 30 * smallMs + 10 ? '' : `${smallMs.toFixed(0)} ms for 2,000 calls, ${largeMs.toFixed(0)} ms for 20,000`;
        if (!verdict) break;
      }
    } finally {
      scanner.close();
    }
    expect(verdict).toBe('');
  }, 120_000);

  it('py-django-debug: DEBUG = True at module level of a settings module, lower in dev and local settings', async () => {
    const settings = `import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = True  # HIT
ALLOWED_HOSTS = ["example.com"]
INSTALLED_APPS = ["django.contrib.admin"]
`;
    await expectHits(settings, 'py-django-debug', 'mysite/settings.py');
    const [found] = await pythonFindings(settings, 'py-django-debug', 'mysite/settings.py');
    expect(found).toMatchObject({ severity: 'medium', confidence: 'medium' });
    expect(found!.fix).toMatch(/environment/);
    // A settings package: production reported, local and dev lower, test settings not at all.
    const split = 'from .base import *\n\nDEBUG = TEMPLATE_DEBUG = True  # HIT\n';
    await expectHits(split, 'py-django-debug', 'config/settings/production.py');
    expect((await pythonFindings(split, 'py-django-debug', 'config/settings/local.py')).map((f) => f.severity)).toEqual(['low']);
    expect(await linesOf(split, 'py-django-debug', 'config/settings/test.py')).toEqual([]);
    // The last module-level value decides; conditional or local ones are not the module's.
    const decided = 'INSTALLED_APPS = []\nDEBUG = True\nDEBUG = os.environ.get("DEBUG") == "1"\nif LOCAL:\n    DEBUG = True\ndef f():\n    DEBUG = True\n';
    expect(await linesOf(decided, 'py-django-debug', 'mysite/settings.py')).toEqual([]);
    expect(await linesOf('INSTALLED_APPS = []\nDEBUG = False\n', 'py-django-debug', 'mysite/settings.py')).toEqual([]);
    // Not a settings module, or a settings.py that is not Django's.
    expect(await linesOf('INSTALLED_APPS = []\nDEBUG = True\n', 'py-django-debug', 'app/config.py')).toEqual([]);
    expect(await linesOf('DEBUG = True\nCOLORS = 256\n', 'py-django-debug', 'tool/settings.py')).toEqual([]);
  });

  it('py-django-debug: a DEBUG name written in other Unicode forms Python reads as DEBUG (fullwidth, NFKC) is DEBUG', async () => {
    await expectHits('INSTALLED_APPS = ["django.contrib.admin"]\nＤＥＢＵＧ = True  # HIT\n', 'py-django-debug', 'proj/settings.py');
    // And it decides as the last value does: a fullwidth DEBUG = False after DEBUG = True turns it off.
    expect(await linesOf('INSTALLED_APPS = []\nDEBUG = True\nＤＥＢＵＧ = False\n', 'py-django-debug', 'proj/settings.py')).toEqual([]);
  });

  it('py-django-debug: DEBUG read from the environment with a default that turns it on when the variable is unset, low', async () => {
    const header = 'import os\nimport environ\nfrom decouple import config\nfrom os import getenv\nenv = environ.Env()\nINSTALLED_APPS = ["django.contrib.admin"]\n';
    const on = [
      'DEBUG = env.bool("DEBUG", default=True)',
      'DEBUG = env.bool("DJANGO_DEBUG", True)',
      'DEBUG = env("DEBUG", default=True)',
      'DEBUG = env.bool("DEBUG", default="yes")',
      'DEBUG = config("DEBUG", default=True, cast=bool)',
      'DEBUG = os.environ.get("DEBUG", "True") == "True"',
      'DEBUG = os.getenv("DJANGO_DEBUG", "true").lower() in ("true", "1", "yes")',
      'DEBUG = getenv("DEBUG", "1") == "1"',
      'DEBUG = bool(int(os.environ.get("DEBUG", 1)))',
      'DEBUG = os.environ.get("DEBUG", True)',
      'DEBUG = not os.environ.get("PRODUCTION")',
    ];
    for (const line of on) {
      const found = await pythonFindings(header + line + '\n', 'py-django-debug', 'mysite/settings.py');
      expect(found.map((f) => [f.line, f.severity]), line).toEqual([[7, 'low']]);
      expect(found[0]!.message, line).toMatch(/default.*True|True.*default/i);
      expect(found[0]!.message, line).toContain('unset');
    }
    const off = [
      'DEBUG = env.bool("DEBUG", default=False)',
      'DEBUG = env.bool("DEBUG")',
      'DEBUG = env("DEBUG")',
      'DEBUG = env.bool("DEBUG", default=DEFAULT_DEBUG)',
      'DEBUG = config("DEBUG", default=False, cast=bool)',
      'DEBUG = config("DEBUG", cast=bool)',
      'DEBUG = os.environ.get("DEBUG", "False") == "True"',
      'DEBUG = os.getenv("DEBUG", "0") == "1"',
      'DEBUG = os.environ.get("DEBUG") == "1"',
      'DEBUG = os.environ["DEBUG"] == "True"',
      'DEBUG = os.getenv("DEBUG", "").lower() in ("true", "1")',
      'DEBUG = bool(int(os.environ.get("DEBUG", 0)))',
      'DEBUG = not os.environ.get("PRODUCTION", "1")',
      'DEBUG = settings_flag("DEBUG", default=True)',
      'DEBUG = env.bool("DEBUG", default=True)\nDEBUG = False',
    ];
    for (const line of off) expect(await linesOf(header + line + '\n', 'py-django-debug', 'mysite/settings.py'), line).toEqual([]);
    // Only in the settings the rule reads: not test settings, not other modules.
    const defaulted = header + 'DEBUG = env.bool("DEBUG", default=True)\n';
    expect(await linesOf(defaulted, 'py-django-debug', 'config/settings/test.py')).toEqual([]);
    expect(await linesOf(defaulted, 'py-django-debug', 'app/config.py')).toEqual([]);
    expect((await pythonFindings(defaulted, 'py-django-debug', 'config/settings/production.py')).map((f) => f.severity)).toEqual(['low']);
  });

  it('py-django-debug: a default declared in django-environ\'s scheme, Env(DEBUG=(bool, True)), is the value env("DEBUG") reads when the variable is unset', async () => {
    const settings = (scheme: string, read: string) => `import environ\nfrom environ import Env\n${scheme}\nINSTALLED_APPS = ["django.contrib.admin"]\n${read}\n`;
    const on: [string, string][] = [
      ['env = environ.Env(DEBUG=(bool, True))', 'DEBUG = env("DEBUG")'],
      ['env = environ.Env(DEBUG=(bool, True))', 'DEBUG = env.bool("DEBUG")'],
      ['env = Env(DEBUG=(bool, "on"), ALLOWED=(list, []))', 'DEBUG = env("DEBUG")'],
      ['settings_env = environ.Env(\n    DJANGO_DEBUG=(bool, True),\n)', 'DEBUG = settings_env("DJANGO_DEBUG")'],
    ];
    for (const [scheme, read] of on) {
      const text = settings(scheme, read);
      const found = await pythonFindings(text, 'py-django-debug', 'mysite/settings.py');
      expect(found.map((f) => [f.line, f.severity]), text).toEqual([[text.split('\n').length - 1, 'low']]);
      expect(found[0]!.message, text).toContain('unset');
    }
    const off: [string, string][] = [
      ['env = environ.Env(DEBUG=(bool, False))', 'DEBUG = env("DEBUG")'],
      ['env = environ.Env(DEBUG=bool)', 'DEBUG = env("DEBUG")'],
      ['env = environ.Env(DEBUG=(bool, True))', 'DEBUG = env("DEBUG", default=False)'],
      ['env = environ.Env(DEBUG=(bool, True))', 'DEBUG = env.bool("OTHER_DEBUG")'],
      ['env = environ.Env(DEBUG=(bool, True))', 'DEBUG = other("DEBUG")'],
      // Bound twice: which scheme env holds is the program's decision, not one the rule can read.
      ['env = environ.Env(DEBUG=(bool, True))\nenv = environ.Env(DEBUG=(bool, False))', 'DEBUG = env("DEBUG")'],
      ['env = dict(DEBUG=(bool, True))', 'DEBUG = env("DEBUG")'],
    ];
    for (const [scheme, read] of off) expect(await linesOf(settings(scheme, read), 'py-django-debug', 'mysite/settings.py'), `${scheme} / ${read}`).toEqual([]);
  });
});

describe('messages and positions', () => {
  it('every finding has a column, a message saying why and a fix saying what to do instead', async () => {
    const [f] = await pythonFindings('import yaml\n\nconfig = yaml.load(open("c.yml"))\n', 'py-yaml-load');
    expect(f).toMatchObject({ kind: 'code', rule: 'py-yaml-load', file: 'app/service.py', line: 3, column: 10, severity: 'high', confidence: 'high' });
    expect(f!.message.length).toBeGreaterThan(40);
    expect(f!.fix).toMatch(/safe_load/);
  });
});
