/**
 * Rules added after a trial against bandit: what bandit flags and Depwatch did not. As in
 * python-rules.test.ts, lines that must be reported end with `# HIT`; every other line is a near
 * miss that must stay quiet.
 */
import { describe, expect, it } from 'vitest';
import { expectHits, hits, linesOf, pythonFindings, scanFiles } from './helpers.js';

describe('py-tarfile-extract (bandit B202)', () => {
  it('TarFile.extractall/extract without filter=, on tarfile.open() chains, variables and with-blocks', async () => {
    const code = `import tarfile
import zipfile
from tarfile import TarFile

def unpack(path, dest):
    tarfile.open(path).extractall(dest)  # HIT
    with tarfile.open(path, "r:gz") as tar:
        tar.extractall(dest)  # HIT
        tar.extract("README", dest)  # HIT
    archive = TarFile(path)
    archive.extractall(path=dest, filter=None)  # HIT
    t = tarfile.open(path)
    t.extractall(dest, filter="fully_trusted")  # HIT
    t.extractall(dest, filter=tarfile.fully_trusted_filter)  # HIT

def safe(path, dest, options):
    tarfile.open(path).extractall(dest, filter="data")
    with tarfile.open(path) as tar:
        tar.extractall(dest, filter="tar")
        tar.extractall(dest, filter=tarfile.data_filter)
        tar.extractall(dest, filter=my_filter)
        tar.extractall(dest, **options)
    with zipfile.ZipFile(path) as z:
        z.extractall(dest)
    zipfile.ZipFile(path).extractall(dest)
`;
    await expectHits(code, 'py-tarfile-extract');
    const found = await pythonFindings(code, 'py-tarfile-extract');
    expect(found[0]!.message).toContain('no filter=');
    expect(found[0]!.fix).toContain('filter="data"');
    expect(found[4]!.message).toContain('filter="fully_trusted"');
  });

  it('members= chosen by the code is low; shutil.unpack_archive of a tar (or of an archive of unknown kind) without filter=, not of a zip', async () => {
    const code = `import shutil
import tarfile

def unpack(path, dest):
    with tarfile.open(path) as tar:
        tar.extractall(dest, members=safe_members(tar))  # HIT
    shutil.unpack_archive("release.tar.gz", dest)  # HIT
    shutil.unpack_archive(path, dest, "gztar")  # HIT
    shutil.unpack_archive(path, dest)  # HIT
    shutil.unpack_archive("release.zip", dest)
    shutil.unpack_archive(path, dest, format="zip")
    shutil.unpack_archive(path, dest, filter="data")
`;
    await expectHits(code, 'py-tarfile-extract');
    const found = await pythonFindings(code, 'py-tarfile-extract');
    expect(found.map((f) => f.severity)).toEqual(['low', 'medium', 'medium', 'medium']);
    expect(found.map((f) => f.confidence)).toEqual(['high', 'high', 'high', 'medium']);
    expect(found[3]!.message).toContain('when it is a tar');
  });
});

describe('py-ssl-no-verify (bandit B323), beside py-tls-verify-disabled', () => {
  it('unverified contexts, check_hostname = False and verify_mode = CERT_NONE on client contexts, wrap_socket(cert_reqs=CERT_NONE)', async () => {
    const code = `import ssl
import socket
import urllib.request

def fetch(url):
    ctx = ssl._create_unverified_context()  # HIT
    return urllib.request.urlopen(url, context=ctx, timeout=10)

ssl._create_default_https_context = ssl._create_unverified_context  # HIT

def client():
    context = ssl.create_default_context()
    context.check_hostname = False  # HIT
    context.verify_mode = ssl.CERT_NONE  # HIT
    sock = ssl.wrap_socket(socket.socket(), cert_reqs=ssl.CERT_NONE)  # HIT
    return context, sock

def legacy(make):
    other = make()
    other.verify_mode = ssl.CERT_NONE  # HIT

def fine(server_sock):
    context = ssl.create_default_context(cafile="/etc/ssl/private-ca.pem")
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.verify_mode = ssl.CERT_NONE
    tls_server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls_server.verify_mode = ssl.CERT_NONE
    ssl.wrap_socket(server_sock, server_side=True, cert_reqs=ssl.CERT_NONE)
    ssl.wrap_socket(server_sock, cert_reqs=ssl.CERT_REQUIRED)
    return ssl.create_default_context()
`;
    await expectHits(code, 'py-ssl-no-verify');
    const found = await pythonFindings(code, 'py-ssl-no-verify');
    expect(found.every((f) => f.severity === 'high')).toBe(true);
    expect(found.find((f) => f.line === 20)!.confidence).toBe('medium'); // an object the file did not make here
    expect(found.find((f) => f.line === 13)!.message).toContain('any host');
  });

  it('a check_hostname attribute in a file that does not use ssl is some other object', async () => {
    expect(await linesOf('class Probe:\n    def off(self):\n        self.check_hostname = False\n', 'py-ssl-no-verify')).toEqual([]);
  });
});

describe('py-chmod-world-writable (bandit B103)', () => {
  it('modes with write for others, as numbers, stat constants and their |; read-only world bits are fine', async () => {
    const code = `import os
import stat
from pathlib import Path

SHARED = 0o777

def publish(path, fd):
    os.chmod(path, 0o777)  # HIT
    os.chmod(path, 0o666)  # HIT
    os.chmod(path, 0o002)  # HIT
    os.chmod(path, stat.S_IRWXU | stat.S_IWOTH)  # HIT
    os.chmod(path, stat.S_IRWXO)  # HIT
    os.chmod(path, os.stat(path).st_mode | stat.S_IWOTH)  # HIT
    os.fchmod(fd, 511)  # HIT
    Path(path).chmod(0o777)  # HIT
    os.chmod(path, mode=SHARED)  # HIT

def private(path, mode):
    os.chmod(path, 0o644)
    os.chmod(path, 0o755)
    os.chmod(path, 0o600)
    os.chmod(path, 0o775)
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR | stat.S_IROTH)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    os.chmod(path, mode)
    os.makedirs(path, 0o777)
`;
    await expectHits(code, 'py-chmod-world-writable');
    const found = await pythonFindings(code, 'py-chmod-world-writable');
    expect(found[0]!.message).toContain('0o777');
    expect(found[0]!.severity).toBe('medium');
  });
});

describe('py-subprocess-shell: a shell started by hand with -c', () => {
  it('["sh", "-c", cmd] is shell=True without saying it; a fixed script is low, and quiet when values come as its own arguments', async () => {
    const code = `import subprocess
import sys

def run(branch, value):
    subprocess.run(["sh", "-c", "git checkout " + branch])  # HIT
    subprocess.check_output(["/bin/bash", "-lc", f"make {branch}"])  # HIT
    subprocess.Popen(["/usr/bin/env", "bash", "-c", sys.argv[1]])  # HIT
    cmd = ["bash", "-c", "ls " + value]
    subprocess.call(cmd)  # HIT
    subprocess.run(["sh", "-c", "make clean"])  # HIT
    subprocess.run(["sh", "-c", 'grep -- "$1" app.log', "sh", value])
    subprocess.run(["sh", "script.sh", value])
    subprocess.run(["bash", "--norc", value])
    subprocess.run(["python", "-c", value])
    subprocess.run(["git", "-c", "user.name=x", "commit"])
`;
    await expectHits(code, 'py-subprocess-shell');
    const found = await pythonFindings(code, 'py-subprocess-shell');
    expect(found.map((f) => f.severity)).toEqual(['high', 'high', 'critical', 'high', 'low']);
    expect(found[0]!.message).toContain('starts a shell with -c');
    expect(found[2]!.message).toContain('sys.argv');
  });
});

describe('py-subprocess-shell: shell= with not', () => {
  it('not flips a literal: shell=not True is False, shell=not False and shell=not 0 start a shell, not of a run-time flag is still decided at run time', async () => {
    const code = `import subprocess

def run(cmd, quiet):
    subprocess.run(cmd, shell=not True)
    subprocess.run(cmd, shell=not "yes")
    subprocess.run(cmd, shell=not False)  # HIT
    subprocess.run(cmd, shell=not 0)  # HIT
    subprocess.run(cmd, shell=not quiet)  # HIT
`;
    await expectHits(code, 'py-subprocess-shell');
    const found = await pythonFindings(code, 'py-subprocess-shell');
    expect(found[2]!.message).toContain('when `shell=not quiet` is true');
    expect(found[0]!.message).not.toContain('when');
  });
});

describe('py-bind-all-interfaces (bandit B104)', () => {
  it('Flask, uvicorn, aiohttp and sockets on 0.0.0.0 / "::" / ""; low, saying a container makes it normal', async () => {
    const code = `import socket
import uvicorn
from flask import Flask
from aiohttp import web

app = Flask(__name__)
HOST = "0.0.0.0"

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000)  # HIT
    uvicorn.run("main:app", host=HOST, port=8000)  # HIT
    web.run_app(make_app(), host="::")  # HIT
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("0.0.0.0", 9000))  # HIT
    listener.bind(("", 9001))  # HIT
    app.run(host="127.0.0.1")
    app.run()
    uvicorn.run("main:app", host="localhost")
    server.bind(("127.0.0.1", 9000))
    server.bind(address)
    uvicorn.run("main:app", host=settings.host)
`;
    await expectHits(code, 'py-bind-all-interfaces');
    const found = await pythonFindings(code, 'py-bind-all-interfaces');
    expect(found.every((f) => f.severity === 'low')).toBe(true);
    expect(found[0]!.message).toContain('In a container this is normal');
    expect(found[0]!.message).toMatch(/firewall|reverse proxy/);
  });

  it('not in test code, and not a .run() of a module that is not flask in a file without flask', async () => {
    const server = 'from flask import Flask\napp = Flask(__name__)\napp.run(host="0.0.0.0")\n';
    expect(await linesOf(server, 'py-bind-all-interfaces', 'tests/test_server.py')).toEqual([]);
    expect(await linesOf(server, 'py-bind-all-interfaces', 'app/server.py')).toEqual([3]);
    expect(await linesOf('import asyncio\nasyncio.run(main(), host="0.0.0.0")\nthing.run(host="0.0.0.0")\n', 'py-bind-all-interfaces')).toEqual([]);
  });
});

describe('py-try-except-pass (bandit B110)', () => {
  it('a bare except or except Exception (alone, aliased, in a tuple) whose whole body is pass; narrow handlers and handlers that do something are fine', async () => {
    const code = `import builtins
import contextlib
import os

def cleanup(path):
    try:
        os.remove(path)
    except:  # HIT
        pass
    try:
        os.remove(path)
    except Exception:  # HIT
        # best effort
        pass
    try:
        os.remove(path)
    except Exception as e:  # HIT
        pass
    try:
        os.remove(path)
    except (OSError, builtins.BaseException):  # HIT
        pass
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    try:
        os.remove(path)
    except (KeyError, OSError):
        pass
    try:
        os.remove(path)
    except Exception:
        log.exception("cleanup failed")
    try:
        os.remove(path)
    except Exception:
        pass
        cleanup_failed = True
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)
`;
    await expectHits(code, 'py-try-except-pass');
    const found = await pythonFindings(code, 'py-try-except-pass');
    expect(found.every((f) => f.severity === 'low' && f.confidence === 'high')).toBe(true);
    expect(found[0]!.message).toContain('everything (bare except:)');
    expect(found[1]!.message).toContain('any Exception');
  });

  it('# nosec B110 written for bandit covers it', async () => {
    const code = 'try:\n    run()\nexcept Exception:  # nosec B110\n    pass\n';
    expect(await linesOf(code, 'py-try-except-pass')).toEqual([]);
    expect(await linesOf(code.replace('  # nosec B110', ''), 'py-try-except-pass')).toEqual([3]);
  });
});

describe('py-try-except-continue (bandit B112)', () => {
  it('a broad handler whose whole body is continue; a narrow one, or one that logs first, is fine', async () => {
    const code = `import json

def load_all(lines):
    out = []
    for line in lines:
        try:
            out.append(json.loads(line))
        except Exception:  # HIT
            continue
        try:
            out.append(json.loads(line))
        except:  # HIT
            continue
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
        try:
            out.append(json.loads(line))
        except Exception:
            log.exception("bad line")
            continue
        try:
            out.append(json.loads(line))
        except Exception:
            pass
    return out
`;
    await expectHits(code, 'py-try-except-continue');
    expect(await linesOf(code, 'py-try-except-pass')).toEqual([25]);
  });
});

describe('py-paramiko-host-key (bandit B507)', () => {
  it('AutoAddPolicy and WarningPolicy, as instances or classes, through aliases and a local name; RejectPolicy and a policy of the project are fine', async () => {
    const code = `import paramiko
import paramiko as pm
from paramiko import AutoAddPolicy, RejectPolicy
from paramiko.client import WarningPolicy as Warn

def connect(host, policy_cls):
    c = paramiko.SSHClient()
    c.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # HIT
    c.set_missing_host_key_policy(pm.AutoAddPolicy)  # HIT
    c.set_missing_host_key_policy(AutoAddPolicy())  # HIT
    c.set_missing_host_key_policy(policy=Warn())  # HIT
    lenient = paramiko.client.WarningPolicy()
    c.set_missing_host_key_policy(lenient)  # HIT
    c.set_missing_host_key_policy(paramiko.RejectPolicy())
    c.set_missing_host_key_policy(RejectPolicy)
    c.set_missing_host_key_policy(PinnedKeyPolicy(fingerprint))
    c.set_missing_host_key_policy(policy_cls())
    c.load_system_host_keys()
`;
    await expectHits(code, 'py-paramiko-host-key');
    const found = await pythonFindings(code, 'py-paramiko-host-key');
    expect(found.every((f) => f.severity === 'high' && f.confidence === 'high')).toBe(true);
    expect(found[3]!.message).toContain('log a warning and connect');
  });

  it('a policy the file does not tie to paramiko is medium confidence', async () => {
    const found = await pythonFindings('def f(client):\n    client.set_missing_host_key_policy(AutoAddPolicy())\n', 'py-paramiko-host-key');
    expect(found.map((f) => f.confidence)).toEqual(['medium']);
  });
});

describe('py-weak-cipher (bandit B304, B305)', () => {
  it('broken and 64-bit-block ciphers and ECB mode in cryptography and PyCryptodome, through aliases; AES in CBC or GCM mode is fine', async () => {
    const code = `from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES as TDES
from cryptography.hazmat.decrepit.ciphers import algorithms as old
from Crypto.Cipher import AES, DES, ARC4
from Cryptodome.Cipher import Blowfish
import Crypto.Cipher.DES3 as triple

def encrypt(key, iv, data):
    Cipher(algorithms.ARC4(key), mode=None)  # HIT
    Cipher(algorithms.AES(key), modes.ECB())  # HIT
    Cipher(TDES(key), modes.CBC(iv))  # HIT
    Cipher(old.Blowfish(key), modes.CBC(iv))  # HIT
    DES.new(key, DES.MODE_ECB)  # HIT
    ARC4.new(key)  # HIT
    Blowfish.new(key, Blowfish.MODE_CBC, iv)  # HIT
    triple.new(key, triple.MODE_CBC, iv)  # HIT
    AES.new(key, AES.MODE_ECB)  # HIT
    AES.new(key, mode=AES.MODE_ECB)  # HIT
    AES.new(key, AES.MODE_GCM)
    AES.new(key, AES.MODE_CBC, iv)
    Cipher(algorithms.AES(key), modes.GCM(iv))
    Cipher(algorithms.ChaCha20(key, iv), mode=None)
    ARC4Helper(key)
`;
    await expectHits(code, 'py-weak-cipher');
    const found = await pythonFindings(code, 'py-weak-cipher');
    expect(found.map((f) => f.severity)).toEqual(['high', 'medium', 'medium', 'medium', 'high', 'high', 'medium', 'medium', 'medium', 'medium']);
    expect(found[0]!.message).toContain('RC4');
    expect(found[1]!.message).toContain('ECB mode');
    expect(found[8]!.message).toContain('AES in ECB mode');
    expect(found[0]!.fix).toContain('AES-GCM');
  });

  it('a class of the project named like a cipher is not one', async () => {
    expect(await linesOf('class ARC4:\n    pass\n\nARC4(b"k")\nDES.new(b"k")\n', 'py-weak-cipher')).toEqual([]);
    const theLibrarys = 'from cryptography.hazmat.primitives.ciphers.algorithms import ARC4\nfrom Crypto.Cipher import DES\n\nARC4(b"k")\nDES.new(b"k")\n';
    expect(await linesOf(theLibrarys, 'py-weak-cipher')).toEqual([4, 5]);
  });
});

describe('py-weak-key-size (bandit B505)', () => {
  it('RSA and DSA keys under 2048 bits and curves under 224, in cryptography and PyCryptodome, as literals and module constants; 2048 and up, P-256 and sizes from a variable are fine', async () => {
    const code = `from cryptography.hazmat.primitives.asymmetric import rsa, dsa, ec
from Crypto.PublicKey import RSA
from Cryptodome.PublicKey import DSA as D
LEGACY_BITS = 1024

def make(bits):
    rsa.generate_private_key(public_exponent=65537, key_size=1024)  # HIT
    rsa.generate_private_key(65537, 512)  # HIT
    rsa.generate_private_key(public_exponent=65537, key_size=LEGACY_BITS)  # HIT
    dsa.generate_private_key(key_size=1_024)  # HIT
    ec.generate_private_key(ec.SECP192R1())  # HIT
    RSA.generate(1024)  # HIT
    D.generate(bits=1024)  # HIT
    rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa.generate_private_key(public_exponent=65537, key_size=4096)
    rsa.generate_private_key(public_exponent=65537, key_size=bits)
    ec.generate_private_key(ec.SECP256R1())
    RSA.generate(3072)
`;
    await expectHits(code, 'py-weak-key-size');
    const found = await pythonFindings(code, 'py-weak-key-size');
    expect(found.map((f) => f.severity)).toEqual(['medium', 'high', 'medium', 'medium', 'medium', 'medium', 'medium']);
    expect(found[0]!.message).toContain('RSA key of 1024 bits');
    expect(found[4]!.message).toContain('SECP192R1 of 192 bits');
  });
});

describe('py-insecure-tls-version (bandit B502, B503)', () => {
  it('SSL 2/3 and TLS 1.0/1.1 constants in calls, keyword arguments, defaults and minimum_version, through imports; comparisons and negotiating protocols are fine', async () => {
    const code = `import ssl
from ssl import PROTOCOL_TLSv1_1
from OpenSSL import SSL

def connect(sock, version=ssl.PROTOCOL_SSLv2):  # HIT
    ssl.wrap_socket(sock, ssl_version=ssl.PROTOCOL_SSLv3)  # HIT
    ssl.SSLContext(ssl.PROTOCOL_TLSv1)  # HIT
    ssl.SSLContext(PROTOCOL_TLSv1_1)  # HIT
    SSL.Context(SSL.TLSv1_METHOD)  # HIT
    ctx = ssl.create_default_context()
    ctx.minimum_version = ssl.TLSVersion.TLSv1  # HIT
    ftp_options = {"ssl_version": ssl.PROTOCOL_SSLv3}  # HIT
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.options |= ssl.OP_NO_TLSv1 | ssl.OP_NO_TLSv1_1
    SSL.Context(SSL.TLS_CLIENT_METHOD)
    if ctx.protocol == ssl.PROTOCOL_TLSv1:
        raise ValueError("TLS 1.0 refused")
    if version in (ssl.PROTOCOL_SSLv2, ssl.PROTOCOL_SSLv3):
        raise ValueError("SSL refused")
    hasattr(ssl, "PROTOCOL_SSLv3")  # not ssl.PROTOCOL_TLSv1 here
    return ssl.TLSVersion.TLSv1_3
`;
    await expectHits(code, 'py-insecure-tls-version');
    const found = await pythonFindings(code, 'py-insecure-tls-version');
    expect(found.map((f) => f.severity)).toEqual(['high', 'high', 'medium', 'medium', 'medium', 'medium', 'high']);
    expect(found[1]!.message).toContain('ssl.PROTOCOL_SSLv3 chooses SSL 3');
    expect(found[4]!.message).toContain('OpenSSL.SSL.TLSv1_METHOD');
  });

  it('a file naming the constants past the cap is partial, naming the rule, and what was checked is still reported', async () => {
    const code = `import ssl\nssl.SSLContext(ssl.PROTOCOL_TLSv1)\n${'checked = protocol == ssl.PROTOCOL_TLSv1\n'.repeat(600)}ssl.SSLContext(ssl.PROTOCOL_SSLv3)\n`;
    const result = await scanFiles({ 'app/service.py': code });
    expect(hits(result, 'py-insecure-tls-version')).toEqual(['py-insecure-tls-version@2']);
    expect(result.partial).toBe(true);
    expect(JSON.stringify(result.notes)).toContain('py-insecure-tls-version: more than 500 mentions');
  });

  it('names in strings and comments do not count toward the cap: a table of 600 rows of "TLSv1.2" is read whole', async () => {
    const rows = '    ("ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2", "TLSv1.3"),  # TLSv1.2 and up\n'.repeat(600);
    const code = `import ssl\nSUITES = [\n${rows}]\nssl.SSLContext(ssl.PROTOCOL_SSLv3)\n`;
    const result = await scanFiles({ 'app/cipher_suites.py': code });
    expect(hits(result, 'py-insecure-tls-version')).toEqual(['py-insecure-tls-version@604']);
    expect(result.partial).toBe(false);
  });

  it('lookup tables translate the constants, they do not choose one: keys, indexes, del, .get/.pop and hasattr are quiet; a setting named by a string still chooses', async () => {
    const code = `import ssl
import OpenSSL.SSL

_openssl_versions = {
    ssl.PROTOCOL_TLS: OpenSSL.SSL.SSLv23_METHOD,
    ssl.PROTOCOL_TLSv1: OpenSSL.SSL.TLSv1_METHOD,
}
if hasattr(ssl, "PROTOCOL_SSLv3") and hasattr(OpenSSL.SSL, "SSLv3_METHOD"):
    _openssl_versions[ssl.PROTOCOL_SSLv3] = OpenSSL.SSL.SSLv3_METHOD
_protocol_to_min_max = {}
_protocol_to_min_max[ssl.PROTOCOL_TLSv1_1] = (1, 2)
LABELS = {"tls1": ssl.PROTOCOL_TLSv1, "sslv3": ssl.PROTOCOL_SSLv3}
name = LABELS.get(ssl.PROTOCOL_TLSv1)
old = LABELS.pop(ssl.PROTOCOL_SSLv3, None)
del _openssl_versions[ssl.PROTOCOL_TLSv1_1]
hasattr(ssl.PROTOCOL_TLSv1, "name")
options = {"ssl_version": ssl.PROTOCOL_SSLv3}  # HIT
options["ssl_version"] = ssl.PROTOCOL_TLSv1  # HIT
chosen = options.get("ssl_version", ssl.PROTOCOL_TLSv1)  # HIT
`;
    await expectHits(code, 'py-insecure-tls-version');
  });

  it("a constant of the project with the same name is not ssl's", async () => {
    expect(await linesOf('PROTOCOL_TLSv1 = "legacy"\nsend(PROTOCOL_TLSv1)\n', 'py-insecure-tls-version')).toEqual([]);
    expect(await linesOf('from ssl import PROTOCOL_TLSv1\nsend(PROTOCOL_TLSv1)\n', 'py-insecure-tls-version')).toEqual([2]);
  });
});

describe('py-hardcoded-tmp-path (bandit B108)', () => {
  it('fixed paths in /tmp, /var/tmp and /dev/shm opened or created, written medium and read low; tempfile, other directories and mere mentions are fine', async () => {
    const code = `import io
import logging
import os
import tempfile
PID_FILE = "/tmp/app.pid"

def start(name, mode):
    open("/tmp/app.pid", "w")  # HIT
    open(PID_FILE, mode="a")  # HIT
    io.open(f"/var/tmp/{name}.json", "w")  # HIT
    os.makedirs(os.path.join("/dev/shm", name))  # HIT
    logging.FileHandler("/tmp/" + name + ".log")  # HIT
    open("/tmp/settings.ini")  # HIT
    open("/tmp/out", mode)  # HIT
    open("/tmpfiles/x", "w")
    open(os.path.join(tempfile.gettempdir(), name), "w")
    open("/var/lib/app/state", "w")
    tempfile.NamedTemporaryFile(dir="/tmp")
    log.info("wrote /tmp/app.pid")
`;
    await expectHits(code, 'py-hardcoded-tmp-path');
    const found = await pythonFindings(code, 'py-hardcoded-tmp-path');
    expect(found.map((f) => f.severity)).toEqual(['medium', 'medium', 'medium', 'medium', 'medium', 'low', 'medium']);
    expect(found[0]!.message).toContain('writes to "/tmp/app.pid", a fixed name in /tmp');
    expect(found[5]!.message).toContain('reads');
  });

  it('pathlib, shutil, logging.basicConfig, and a /tmp path given as the fallback of an environment variable or an or', async () => {
    const code = `import logging
import os
import shutil
from pathlib import Path

def start(src, path):
    Path("/tmp/app.pid").write_text("1")  # HIT
    Path("/var/tmp/state.json").open("w")  # HIT
    Path("/dev/shm/app.lock").touch()  # HIT
    Path("/tmp/settings.ini").read_text()  # HIT
    shutil.copy(src, "/tmp/out.txt")  # HIT
    shutil.move(src, dst="/var/tmp/out")  # HIT
    open(os.environ.get("PIDFILE", "/tmp/app.pid"), "w")  # HIT
    open(os.getenv("PIDFILE", "/tmp/app.pid"), "w")  # HIT
    open(path or "/tmp/app.pid", "w")  # HIT
    logging.basicConfig(filename="/tmp/app.log")  # HIT
    Path("/var/lib/app/state").write_text("1")
    shutil.copy("/tmp/in.txt", "/srv/app/in.txt")
    open(os.environ.get("PIDFILE", "/run/app.pid"), "w")
    open(os.environ["PIDFILE"], "w")
    logging.basicConfig(level=logging.INFO)
`;
    await expectHits(code, 'py-hardcoded-tmp-path');
    const found = await pythonFindings(code, 'py-hardcoded-tmp-path');
    expect(found.map((f) => f.severity)).toEqual(['medium', 'medium', 'medium', 'low', 'medium', 'medium', 'medium', 'medium', 'medium', 'medium']);
    expect(found[0]!.message).toContain('writes to "/tmp/app.pid"');
  });

  it('the directory itself is not a fixed name in it, and os.open with read-only flags reads', async () => {
    const code = `import os
import tempfile

os.makedirs("/tmp", exist_ok=True)
os.makedirs("/var/tmp/", exist_ok=True)
os.makedirs(os.path.join("/tmp", tempfile.gettempprefix()), exist_ok=True)  # HIT
fd = os.open("/dev/shm/app.lock", os.O_RDONLY)  # HIT
fd = os.open("/dev/shm/app.lock", os.O_RDONLY | os.O_NOFOLLOW)  # HIT
fd = os.open("/dev/shm/app.lock", os.O_RDWR | os.O_CREAT)  # HIT
fd = os.open("/dev/shm/app.lock", flags)  # HIT
`;
    await expectHits(code, 'py-hardcoded-tmp-path');
    const found = await pythonFindings(code, 'py-hardcoded-tmp-path');
    expect(found.map((f) => f.severity)).toEqual(['medium', 'low', 'low', 'medium', 'medium']);
    expect(found[1]!.message).toContain('os.open() reads "/dev/shm/app.lock"');
  });

  it('test code writes scratch files there as a matter of course: not reported', async () => {
    const code = 'def test_x():\n    open("/tmp/x", "w")\n';
    expect(await linesOf(code, 'py-hardcoded-tmp-path', 'tests/test_x.py')).toEqual([]);
    expect(await linesOf(code, 'py-hardcoded-tmp-path', 'app/x.py')).toEqual([2]);
  });
});

describe('py-logging-config-listen (bandit B612)', () => {
  it('listen() without verify=, through each way of importing it; a verify callable is fine', async () => {
    const code = `import logging.config
from logging import config
from logging.config import listen as listen_for_config

def start(check_signature, opts):
    logging.config.listen(9999)  # HIT
    config.listen()  # HIT
    listen_for_config(9999, verify=None)  # HIT
    logging.config.listen(9999, verify=check_signature)
    logging.config.listen(9999, check_signature)
    logging.config.listen(**opts)
    logging.config.dictConfig({"version": 1})
`;
    await expectHits(code, 'py-logging-config-listen');
    const found = await pythonFindings(code, 'py-logging-config-listen');
    expect(found.every((f) => f.severity === 'medium' && f.confidence === 'high')).toBe(true);
    expect(found[0]!.fix).toContain('verify=');
  });
});

describe('py-django-mark-safe (bandit B308, B703)', () => {
  it('mark_safe and SafeString on text built at run time, higher from the request; literals and escaped text are fine', async () => {
    const code = `from django.utils.safestring import mark_safe, SafeString
from django.utils import safestring
from django.utils.html import escape, format_html

def render(request, label):
    mark_safe(request.GET["x"])  # HIT
    mark_safe(f"<b>{label}</b>")  # HIT
    SafeString("<i>" + label + "</i>")  # HIT
    safestring.mark_safe(label)  # HIT
    mark_safe("<br>")
    mark_safe(format_html("<b>{}</b>", label))
    mark_safe(escape(label))
    SafeString("<hr>" + "<br>")
`;
    await expectHits(code, 'py-django-mark-safe');
    const found = await pythonFindings(code, 'py-django-mark-safe');
    expect(found.map((f) => `${f.severity}/${f.confidence}`)).toEqual(['high/high', 'medium/high', 'medium/high', 'medium/medium']);
    expect(found[0]!.message).toContain('from the HTTP request');
    expect(found[0]!.fix).toContain('format_html');
  });
});

describe('py-mako-autoescape (bandit B702)', () => {
  it('Template and TemplateLookup without the h filter, through aliases; default_filters with h, or computed, is fine', async () => {
    const code = `from mako.template import Template as MakoTemplate
from mako import lookup

def page(data, filters, opts):
    MakoTemplate(data)  # HIT
    MakoTemplate(data, default_filters=["str"])  # HIT
    lookup.TemplateLookup(directories=["templates"])  # HIT
    MakoTemplate(data, default_filters=["str", "h"])
    MakoTemplate(data, default_filters=["str", "filters.html_escape"])
    MakoTemplate(data, default_filters=["mako.filters.html_escape"])
    MakoTemplate(data, default_filters=["filters.url_escape"])  # HIT
    lookup.TemplateLookup(directories=["templates"], default_filters=["h"])
    MakoTemplate(data, default_filters=filters)
    MakoTemplate(data, **opts)
`;
    await expectHits(code, 'py-mako-autoescape');
    const found = await pythonFindings(code, 'py-mako-autoescape');
    expect(found.map((f) => `${f.severity}/${f.confidence}`)).toEqual(['high/medium', 'high/high', 'high/medium', 'high/high']);
    expect(found[1]!.message).toContain('leaves out the "h" filter');
  });
});

describe('py-paramiko-exec-command (bandit B601)', () => {
  it('a command built at run time, critical from the request; fixed commands are fine, and other exec_command methods outside paramiko files', async () => {
    const code = `import shlex
import paramiko

def run(request, host, path, conn):
    c = paramiko.SSHClient()
    c.exec_command(request.GET["cmd"])  # HIT
    c.exec_command(f"ls {path}")  # HIT
    conn.exec_command("du -sh " + path)  # HIT
    c.exec_command("uptime")
    c.exec_command(command="df -h")
`;
    await expectHits(code, 'py-paramiko-exec-command');
    const found = await pythonFindings(code, 'py-paramiko-exec-command');
    expect(found.map((f) => `${f.severity}/${f.confidence}`)).toEqual(['critical/high', 'high/high', 'high/medium']);
    expect(await linesOf('def run(db, sql):\n    db.exec_command(sql)\n', 'py-paramiko-exec-command')).toEqual([]);
  });
});
