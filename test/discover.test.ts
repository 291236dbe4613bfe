import { describe, expect, it } from 'vitest';
import { formatForPath, formatForPathIn, isCompiledFrom, isManifestPath, isManifestPathIn, isProjectContextPath, isUndecidedInput, pipToolsPairs } from '../src/python/discover.js';

describe('manifest discovery by path', () => {
  it.each([
    ['requirements.txt', 'requirements'],
    ['requirements-dev.txt', 'requirements'],
    ['dev-requirements.txt', 'requirements'],
    ['test_requirements.txt', 'requirements'],
    ['requirements/base.txt', 'requirements'],
    ['src/requirements/prod.txt', 'requirements'],
    ['constraints.txt', 'requirements'],
    ['requirements.in', 'requirements'],
    ['requirements/dev.in', 'requirements'],
    ['dev-reqs.in', 'requirements'],
    ['reqs/test_reqs.in', 'requirements'],
    // Rye's lockfiles (`rye lock`), and `uv pip compile -o requirements.lock`: requirements format.
    ['requirements.lock', 'requirements'],
    ['requirements-dev.lock', 'requirements'],
    ['services/api/requirements.lock', 'requirements'],
    // `.pip` is `.txt` for requirements files (Renovate's pip_requirements manager takes both).
    ['requirements.pip', 'requirements'],
    ['requirements/base.pip', 'requirements'],
    ['requirements-dev.pip', 'requirements'],
    ['dev-requirements.pip', 'requirements'],
    ['test_requirements.pip', 'requirements'],
    ['ci/devrequirements.pip', 'requirements'],
    ['pyproject.toml', 'pyproject'],
    ['libs/core/pyproject.toml', 'pyproject'],
    ['poetry.lock', 'poetry-lock'],
    ['Pipfile', 'pipfile'],
    ['Pipfile.lock', 'pipfile-lock'],
    ['uv.lock', 'uv-lock'],
    ['pdm.lock', 'pdm-lock'],
    ['pylock.toml', 'pylock'],
    ['pylock.dev.toml', 'pylock'],
    ['services/api/pylock.prod.toml', 'pylock'],
    ['setup.cfg', 'setup-cfg'],
  ])('%s is read as %s', (path, format) => {
    expect(formatForPath(path)).toBe(format);
    expect(isManifestPath(path)).toBe(true);
  });

  it.each(['README.txt', 'docs/notes.txt', 'MANIFEST.in', 'Makefile.in', 'config.h.in', 'setup.py.in', 'setup.cfg.in', 'roles/web/templates/template.in', 'dev.in', 'package.json', 'tox.ini', 'pylock.a.b.toml', 'mypylock.toml', 'pylock.toml.orig', 'deploy/pylock..toml', 'prereqs.in', 'docs/prereqs.in', 'yarn.lock', 'Cargo.lock', 'package.pip', 'dev.lock'])(
    '%s is not a manifest',
    (path) => {
      expect(isManifestPath(path)).toBe(false);
    },
  );

  it('tells the .in files the loader names as not read from the well-known templates it passes over without a word', () => {
    const undecided = ['dev.in', 'deps/test.in', 'roles/web/templates/template.in', 'base.dev.in', 'prereqs.in'];
    const never = ['MANIFEST.in', 'Makefile.in', 'GNUmakefile.in', 'src/config.h.in', 'configure.in', 'config-site.in', 'setup.cfg.in', 'setup.py.in', 'lib.pc.in', 'x.spec.in', 'x.service.in', 'x.desktop.in', 'x.conf.in', 'x.cmake.in', 'x.xml.in', 'x.json.in', 'x.yml.in', 'x.yaml.in', 'x.html.in', 'x.sh.in', 'x.py.in'];
    const readByName = ['requirements.in', 'dev-reqs.in', 'requirements/dev.in'];
    expect(undecided.filter((p) => isUndecidedInput(p))).toEqual(undecided);
    expect([...never, ...readByName, '.venv/x.in', 'node_modules/a/dev.in', 'dev.txt', '.in'].filter((p) => isUndecidedInput(p))).toEqual([]);
    // A folder given itself is asked under its name, as discovery asks: requirements/ reads dev.in.
    expect(isUndecidedInput('dev.in', 'requirements')).toBe(false);
  });

  it('leaves the lockfiles of other formats to them: a `.lock` is a requirements file only when named requirements*', () => {
    expect(['poetry.lock', 'uv.lock', 'pdm.lock', 'Pipfile.lock', 'requirements.lock'].map(formatForPath)).toEqual(['poetry-lock', 'uv-lock', 'pdm-lock', 'pipfile-lock', 'requirements']);
  });

  it('reads the files of a `requirements/` folder as manifests whether the audit was given that folder or its parent', () => {
    for (const path of ['prod.txt', 'dev.txt', 'base.pip', 'test.in']) {
      expect(formatForPath(`requirements/${path}`)).toBe('requirements');
      expect(formatForPath(path)).toBe(null);
      expect(formatForPathIn('requirements', path)).toBe('requirements');
      expect(isManifestPathIn('requirements', path)).toBe(true);
    }
    expect(formatForPathIn('requirements.d', 'prod.txt')).toBe('requirements');
    // Any other folder name changes nothing, and the files of other formats stay theirs.
    expect(formatForPathIn('app', 'prod.txt')).toBe(null);
    expect(formatForPathIn('requirements', 'pyproject.toml')).toBe('pyproject');
    expect(isManifestPathIn('requirements', 'notes/readme.md')).toBe(false);
    // Under a `requirements/` folder every `.in` says it is an input: no pair is needed to read it.
    expect([...pipToolsPairs(['dev.in', 'dev.txt'], 'requirements')]).toEqual([]);
    expect([...pipToolsPairs(['dev.in', 'dev.txt'], 'app')]).toEqual([['dev.in', 'dev.txt']]);
  });

  it('pairs a .in whose name does not tell with the .txt pip-compile writes beside it, never a template that is no input, nor in folders never ours', () => {
    const paths = ['dev.in', 'dev.txt', 'template.in', 'MANIFEST.in', 'MANIFEST.txt', 'Makefile.in', 'Makefile.txt', 'requirements.in', 'requirements.txt', 'api/base.in', 'api/base.txt', '.venv/x.in', '.venv/x.txt'];
    expect([...pipToolsPairs(paths)]).toEqual([
      ['dev.in', 'dev.txt'],
      ['api/base.in', 'api/base.txt'],
    ]);
  });

  it('takes a .txt as compiled from a .in when pip-compile or uv says so at its top and names that .in', () => {
    const pipCompile = '#\n# This file is autogenerated by pip-compile with Python 3.12\n# by the following command:\n#\n#    pip-compile --output-file=dev.txt dev.in\n#\ndjango==2.1.5\n';
    const uv = '# This file was autogenerated by uv via the following command:\n#    uv pip compile api/base.in -o api/base.txt\nsix==1.16.0\n';
    expect(isCompiledFrom(pipCompile, 'dev.in')).toBe(true);
    expect(isCompiledFrom(uv, 'api/base.in')).toBe(true);
    expect(isCompiledFrom(pipCompile, 'template.in')).toBe(false);
    expect(isCompiledFrom('django==2.1.5\n# via -r dev.in\n', 'dev.in')).toBe(false);
  });

  it('takes the .in name only as a whole path word of the command line or of a `# via -r` note, never inside another name', () => {
    const header = '#\n# This file is autogenerated by pip-compile with Python 3.12\n# by the following command:\n#\n';
    const compiledFrom = (command: string, body = '') => `${header}#    ${command}\n#\n${body}`;
    expect(isCompiledFrom(compiledFrom('pip-compile mydev.in'), 'dev.in')).toBe(false);
    expect(isCompiledFrom(compiledFrom('pip-compile dev.in.bak'), 'dev.in')).toBe(false);
    expect(isCompiledFrom(compiledFrom('pip-compile requirements/dev.in'), 'requirements/dev.in')).toBe(true);
    expect(isCompiledFrom(compiledFrom('pip-compile --output-file=dev.txt dev.in'), 'dev.in')).toBe(true);
    // The name written elsewhere in the file (a comment, a URL) says nothing.
    expect(isCompiledFrom(compiledFrom('pip-compile base.in', '# see dev.in\nx @ https://example.com/dev.in\n'), 'dev.in')).toBe(false);
    // pip-compile's notes of where a pin comes from, on one line or under a multi-line `# via`.
    expect(isCompiledFrom(compiledFrom('pip-compile', 'django==4.2\n    # via -r dev.in\n'), 'dev.in')).toBe(true);
    expect(isCompiledFrom(compiledFrom('pip-compile', 'asgiref==3.7\n    # via\n    #   -r dev.in\n    #   django\n'), 'dev.in')).toBe(true);
    expect(isCompiledFrom(compiledFrom('pip-compile', 'django==4.2\n    # via -r mydev.in\n'), 'dev.in')).toBe(false);
    const uv = (command: string) => `# This file was autogenerated by uv via the following command:\n#    ${command}\nsix==1.16.0\n`;
    expect(isCompiledFrom(uv('uv pip compile dev.in -o dev.txt'), 'dev.in')).toBe(true);
    expect(isCompiledFrom(uv('uv pip compile old-dev.in -o dev.txt'), 'dev.in')).toBe(false);
  });

  it.each(['node_modules/x/requirements.txt', '.venv/lib/pyproject.toml', 'venv/requirements.txt', 'a/site-packages/b/setup.cfg', '.git/requirements.txt', '.tox/py3/pyproject.toml'])(
    'skips %s inside directories that are never ours',
    (path) => {
      expect(isManifestPath(path)).toBe(false);
    },
  );

  it.each(['.ipynb_checkpoints/requirements-checkpoint.txt', 'nb/.ipynb_checkpoints/requirements-dev-checkpoint.txt', 'nb/.ipynb_checkpoints/environment-checkpoint.yml'])(
    "does not read %s, Jupyter's autosave of a manifest, as one (nothing installs from it; its findings were the original's again)",
    (path) => {
      expect(isManifestPath(path)).toBe(false);
    },
  );

  it("leaves Jupyter's checkpoints of Dockerfiles, .python-version and undecided .in files out too", () => {
    expect(isProjectContextPath('.ipynb_checkpoints/Dockerfile-checkpoint')).toBe(false);
    expect(isProjectContextPath('app/.ipynb_checkpoints/.python-version')).toBe(false);
    expect(isUndecidedInput('.ipynb_checkpoints/dev-checkpoint.in')).toBe(false);
    expect([...pipToolsPairs(['.ipynb_checkpoints/dev-checkpoint.in', '.ipynb_checkpoints/dev-checkpoint.txt']).keys()]).toEqual([]);
  });

  it('recognises files that say which Python runs the project', () => {
    expect(isProjectContextPath('.python-version')).toBe(true);
    expect(isProjectContextPath('runtime.txt')).toBe(true);
    expect(isProjectContextPath('docker/Dockerfile')).toBe(true);
    expect(isProjectContextPath('Dockerfile.prod')).toBe(true);
    // The Dockerfiles the code scan reads are the ones whose base image says which Python runs.
    for (const path of ['Dockerfile-prod', 'Dockerfile_ci', 'docker/dockerfile', 'Containerfile', 'api.Dockerfile']) expect(isProjectContextPath(path)).toBe(true);
    for (const path of ['Dockerfile.md', 'docs/dockerfile_parser.rs']) expect(isProjectContextPath(path)).toBe(false);
    expect(isProjectContextPath('.github/workflows/ci.yml')).toBe(true);
    expect(isProjectContextPath('.depwatch.yml')).toBe(true);
    expect(isProjectContextPath('.github/ISSUE_TEMPLATE/bug.yml')).toBe(false);
  });
});
