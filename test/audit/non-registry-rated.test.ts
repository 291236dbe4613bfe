/**
 * A package installed from outside the index (a VCS checkout, a URL, a local wheel or sdist) whose
 * version the lock or the file's name gives is rated against advisories as a registry pin is, and
 * still said to come from outside the index. The project's own code (an editable install, a local
 * folder, uv's `virtual`) is not rated, whatever PyPI project it is named like. PyPI's own facts
 * (outdated, yanked, not on the index) stay about registry releases.
 */
import { describe, expect, it } from 'vitest';
import { auditFileSource } from '../../src/audit/run.js';
import type { Finding } from '../../src/audit/findings.js';
import { memorySource } from '../../src/python/files.js';
import { project, realMirror, registryOf, release } from './helpers.js';

const now = new Date('2026-11-28T12:00:00Z');

const audit = async (files: Record<string, string>, registry = registryOf([])) => auditFileSource(memorySource(files), { target: 'app', advisories: await realMirror(), registry, now });

/** Each vulnerable release once, as `name version file:line`. */
const vulnerable = (findings: Finding[]) => [...new Set(findings.filter((f) => f.kind === 'vulnerability').map((f) => `${f.package} ${f.version} ${f.file}:${f.line}`))].sort();
const outsideIndex = (findings: Finding[]) => findings.filter((f) => f.kind === 'non-registry-source').map((f) => [f.package, f.version, f.details?.['advisories_checked']]);

const UV_LOCK = `version = 1
requires-python = ">=3.12"

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "django" }, { name = "requests" }, { name = "werkzeug" }]

[[package]]
name = "django"
version = "2.2.0"
source = { path = "wheels/Django-2.2.0-py3-none-any.whl" }

[[package]]
name = "requests"
version = "2.19.0"
source = { url = "https://files.pythonhosted.org/packages/x/requests-2.19.0-py2.py3-none-any.whl" }

[[package]]
name = "werkzeug"
version = "0.15.0"
source = { git = "https://github.com/pallets/werkzeug.git?rev=0.15.0#b1916c0c083e0be1c9d887ee2f3d696922bfc5c1" }
`;

describe('a release installed from outside the index whose version is known', () => {
  it("is rated at its uv.lock line (a local wheel, a wheel URL, a git checkout), and its source is still said not to be the index's", async () => {
    const result = await audit({ 'uv.lock': UV_LOCK });
    expect(result.partial).toBe(false);
    expect(vulnerable(result.findings)).toEqual(['django 2.2.0 uv.lock:10', 'requests 2.19.0 uv.lock:15', 'werkzeug 0.15.0 uv.lock:20']);
    expect(outsideIndex(result.findings).sort()).toEqual([
      ['django', '2.2.0', true],
      ['requests', '2.19.0', true],
      ['werkzeug', '0.15.0', true],
    ]);
    // No pin to edit and no lock command moves it: the upgrade names the source to change by hand.
    const django = result.findings.find((f) => f.kind === 'vulnerability' && f.package === 'django')!;
    expect(django.fix.advice).toBeUndefined();
    expect(django.fix.text).toMatch(/^Upgrade django 2\.2\.0 to (2\.2\.\d+) \(clears all \d+ advisories\): it is installed from outside the index \(uv\.lock:10\), which no pin or lock command moves: point that source at \1 or later \(a release from PyPI, or a later tag, commit or file\) by hand\.$/);
    const wheel = result.findings.find((f) => f.kind === 'non-registry-source' && f.package === 'django')!;
    expect(wheel.fix.text).toBe(
      'django is installed from a local path (wheels/Django-2.2.0-py3-none-any.whl), which nothing verifies is the release 2.2.0 published on PyPI (advisories are matched by its name and version; version checks cannot follow it): use a released version from PyPI.',
    );
  });

  it('is rated from poetry.lock (a `file` source, a git source), pdm.lock (git) and pylock.toml (archive, vcs)', async () => {
    const poetry = `[[package]]
name = "django"
version = "2.2.0"
description = ""
optional = false
python-versions = ">=3.5"
files = [{file = "Django-2.2.0-py3-none-any.whl", hash = "sha256:aaaa"}]

[package.source]
type = "file"
url = "wheels/Django-2.2.0-py3-none-any.whl"

[[package]]
name = "werkzeug"
version = "0.15.0"
description = ""
optional = false
python-versions = "*"
files = []
develop = false

[package.source]
type = "git"
url = "https://github.com/pallets/werkzeug.git"
reference = "0.15.0"
resolved_reference = "b1916c0c083e0be1c9d887ee2f3d696922bfc5c1"

[metadata]
lock-version = "2.0"
python-versions = "^3.12"
content-hash = "abc"
`;
    const pdm = `[metadata]
groups = ["default"]
lock_version = "4.5.0"
content_hash = "sha256:x"

[[package]]
name = "werkzeug"
version = "0.15.0"
git = "https://github.com/pallets/werkzeug.git"
revision = "b1916c0c083e0be1c9d887ee2f3d696922bfc5c1"
summary = ""
groups = ["default"]
`;
    const pylock = `lock-version = "1.0"
created-by = "pip"

[[packages]]
name = "flask"
version = "0.12"
archive = { url = "https://example.com/flask-0.12.tar.gz", hashes = { sha256 = "cc" } }

[[packages]]
name = "mako"
version = "1.2.0"
vcs = { type = "git", url = "https://github.com/sqlalchemy/mako", commit-id = "0123456789abcdef0123456789abcdef01234567" }
`;
    const result = await audit({ 'a/poetry.lock': poetry, 'b/pdm.lock': pdm, 'c/pylock.toml': pylock });
    expect(result.partial).toBe(false);
    expect(vulnerable(result.findings)).toEqual(['django 2.2.0 a/poetry.lock:1', 'flask 0.12 c/pylock.toml:4', 'mako 1.2.0 c/pylock.toml:9', 'werkzeug 0.15.0 a/poetry.lock:13']);
    // One release, two places: the pdm.lock entry is among its locations.
    const werkzeug = result.findings.find((f) => f.kind === 'vulnerability' && f.package === 'werkzeug')!;
    expect((werkzeug.locations ?? []).map((l) => `${l.file}:${l.line}`)).toEqual(['a/poetry.lock:13', 'b/pdm.lock:6']);
    // The locked local wheel is a third-party file: said to come from outside the index, as in a requirements file.
    expect(outsideIndex(result.findings)).toContainEqual(['django', '2.2.0', true]);
  });

  it('is rated from requirements lines: a bare wheel URL, `name @` a wheel URL, a local wheel, an sdist URL (each version from the file name)', async () => {
    const requirements = [
      'https://files.pythonhosted.org/packages/x/requests-2.19.0-py2.py3-none-any.whl',
      'urllib3 @ https://files.pythonhosted.org/packages/x/urllib3-1.24.1-py2.py3-none-any.whl',
      './wheels/Django-2.2.0-py3-none-any.whl',
      'https://example.com/dist/Jinja2-2.10.tar.gz',
      '',
    ].join('\n');
    const result = await audit({ 'requirements.txt': requirements });
    expect(result.partial).toBe(false);
    expect(vulnerable(result.findings)).toEqual(['django 2.2.0 requirements.txt:3', 'jinja2 2.10 requirements.txt:4', 'requests 2.19.0 requirements.txt:1', 'urllib3 1.24.1 requirements.txt:2']);
    expect(outsideIndex(result.findings).map(([name, , checked]) => `${name} ${checked}`).sort()).toEqual(['django true', 'jinja2 true', 'requests true', 'urllib3 true']);
  });

  it('is not said to be outdated, yanked or missing from the index: PyPI speaks of its own releases, not of what is installed', async () => {
    const registry = registryOf([project('requests', [release('2.19.0', '2018-06-12T00:00:00Z', { yanked: true, yankedReason: 'bad' }), release('2.32.3', '2024-05-29T00:00:00Z')])]);
    const result = await audit({ 'uv.lock': UV_LOCK }, registry);
    expect(result.findings.filter((f) => ['outdated', 'yanked', 'not-on-index'].includes(f.kind))).toEqual([]);
    expect(registry.asked.flat()).not.toContain('werkzeug');
    expect(vulnerable(result.findings)).toContain('requests 2.19.0 uv.lock:15');
  });
});

describe("the project's own code", () => {
  it('is not rated when named like a PyPI project: uv editable / virtual / directory, Poetry directory, `-e .`, a local folder', async () => {
    const uv = `version = 1
requires-python = ">=3.12"

[[package]]
name = "django"
version = "2.2.0"
source = { editable = "." }

[[package]]
name = "requests"
version = "2.19.0"
source = { virtual = "services/requests" }

[[package]]
name = "werkzeug"
version = "0.15.0"
source = { directory = "libs/werkzeug" }
`;
    const poetry = `[[package]]
name = "flask"
version = "0.12"
description = ""
optional = false
python-versions = "*"
files = []
develop = true

[package.source]
type = "directory"
url = "libs/flask"

[metadata]
lock-version = "2.0"
python-versions = "^3.12"
content-hash = "abc"
`;
    const result = await audit({ 'uv.lock': uv, 'p/poetry.lock': poetry, 'requirements.txt': '-e .\n./libs/jinja2\n' });
    expect(result.errors).toEqual([]);
    expect(vulnerable(result.findings)).toEqual([]);
    // Nor are the lock's own folders said to come from outside the index.
    expect(result.findings.filter((f) => f.kind === 'non-registry-source' && f.file !== 'requirements.txt')).toEqual([]);
  });
});
