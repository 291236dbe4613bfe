import { describe, expect, it } from 'vitest';
import { dockerfileFormat } from '../../src/python/formats/dockerfile.js';
import { MAX_ENTRIES_PER_FILE } from '../../src/python/formats/collector.js';
import { extractorFor, fixture, itClaimsItsFiles } from './lock-helpers.js';

const extract = extractorFor(dockerfileFormat, 'Dockerfile');
const pins = (text: string) => extract(text).dependencies.map((d) => [d.name, d.specifier, d.version, d.line]);

describe('Dockerfile pip installs', () => {
  itClaimsItsFiles(dockerfileFormat, 'dockerfile', {
    claimed: ['Dockerfile', 'docker/Dockerfile.prod', 'Containerfile', 'api.Dockerfile', 'dockerfile'],
    refused: ['Dockerfile.md', 'docs/dockerfile.txt', 'requirements.txt'],
  });

  it('reads the handwritten Dockerfile: every install shape at its RUN line, a variable as a problem', () => {
    const result = extract(fixture('handwritten/Dockerfile'));
    expect(result.dependencies.map((d) => [d.name, d.specifier, d.source, d.line])).toEqual([
      ['pip', '==24.0', 'registry', 7],
      ['setuptools', '', 'registry', 7],
      ['wheel', '', 'registry', 7],
      ['gunicorn', '==22.0.0', 'registry', 7],
      ['uvicorn', '<0.30,>=0.23', 'registry', 7],
      ['internal-sdk', '==3.1.0', 'registry', 7],
      ['tool', '', 'vcs', 14],
      ['core', '', 'path', 14],
      ['celery', '==5.4.0', 'registry', 19],
      ['pywin32', '==306', 'registry', 19],
      ['sentry-sdk', '==2.14.0', 'registry', 21],
      ['flask', '==3.0.3', 'registry', 26],
      // Unquoted inside the -c script: `>=2` is a redirection, as the shell runs it.
      ['requests', '', 'registry', 27],
    ]);
    expect(result.options).toEqual([expect.objectContaining({ name: 'extra-index-url', value: 'https://pypi.internal.example/simple', line: 7 })]);
    expect(result.errors.map((e) => [e.line, e.message])).toEqual([[19, expect.stringMatching(/^pip install "poetry==\$\{POETRY_VERSION\}": a shell value/)]]);
    expect(result.notices ?? []).toEqual([]);
  });

  it('reads pip, pip3, python -m pip, python3 -m pip and uv pip installs, with the RUN line of each', () => {
    const text = [
      'FROM python:3.12-slim',
      'RUN pip install flask==2.0.1',
      'RUN pip3 install --no-cache-dir requests==2.19.0',
      'RUN python -m pip install django==3.2',
      'RUN python3.12 -m pip install --upgrade pip==24.0',
      'RUN uv pip install --system numpy==1.26.4',
      'RUN /usr/local/bin/pip install six==1.16.0',
    ].join('\n');
    expect(pins(text)).toEqual([
      ['flask', '==2.0.1', '2.0.1', 2],
      ['requests', '==2.19.0', '2.19.0', 3],
      ['django', '==3.2', '3.2', 4],
      ['pip', '==24.0', '24.0', 5],
      ['numpy', '==1.26.4', '1.26.4', 6],
      ['six', '==1.16.0', '1.16.0', 7],
    ]);
    const flask = extract(text).dependencies[0]!;
    expect(flask).toMatchObject({ file: 'Dockerfile', kind: 'requirement', source: 'registry', direct: true, group: 'main', editable: false });
  });

  it('finds the install after &&, ; and | and across continuation lines, with options between the arguments', () => {
    const text = [
      'FROM python:3.12',
      'RUN apt-get update && apt-get install -y gcc \\',
      '    && pip install --no-cache-dir \\',
      '       -U \\',
      '       gunicorn==21.2.0 \\',
      '       --timeout 60 \\',
      '       celery==5.3.0; echo done',
      'RUN set -eux; PIP_NO_CACHE_DIR=1 sudo -H pip install "uvicorn==0.23.0" | tee log',
    ].join('\n');
    expect(pins(text)).toEqual([
      ['gunicorn', '==21.2.0', '21.2.0', 2],
      ['celery', '==5.3.0', '5.3.0', 2],
      ['uvicorn', '==0.23.0', '0.23.0', 8],
    ]);
  });

  it('reads quoted arguments, extras and markers as pip does, and ranges as ranges', () => {
    const result = extract(`FROM python:3.12\nRUN pip install 'flask>=2' "celery[redis]==5.3.0" 'pywin32==306; sys_platform == "win32"' requests\n`);
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.specifier, d.version, d.extras, d.marker])).toEqual([
      ['flask', '>=2', null, [], null],
      ['celery', '==5.3.0', '5.3.0', ['redis'], null],
      ['pywin32', '==306', '306', [], 'sys_platform == "win32"'],
      ['requests', '', null, [], null],
    ]);
  });

  it('reads an unquoted > as the shell does: a redirection, so `flask>=2` installs any flask', () => {
    expect(pins('FROM python:3.12\nRUN pip install flask>=2.0\n')).toEqual([['flask', '', null, 2]]);
  });

  it('keeps local projects, URLs and VCS links as what they are, not index packages', () => {
    const result = extract(
      [
        'FROM python:3.12',
        'RUN pip install . && pip install -e ./lib && pip install /wheels/pkg-1.0-py3-none-any.whl',
        'RUN pip install git+https://github.com/org/tool.git@v1#egg=tool https://example.com/dist/other-2.0.tar.gz',
      ].join('\n'),
    );
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.source, d.editable, d.version])).toEqual([
      ['', 'path', false, null],
      ['lib', 'path', true, null],
      ['pkg', 'path', false, '1.0'],
      ['tool', 'vcs', false, null],
      ['other', 'url', false, '2.0'],
    ]);
  });

  it('keeps index options as the file options the extra-index rule reads (uv extra indexes as pip extra indexes)', () => {
    const result = extract(
      [
        'FROM python:3.12',
        'RUN pip install -i https://mirror.example/simple --extra-index-url https://pypi.internal/simple --trusted-host pypi.internal app==1.0',
        'RUN uv pip install --extra-index-url=https://uv.internal/simple tool==2.0',
      ].join('\n'),
    );
    expect(result.options?.map((o) => [o.name, o.value, o.line])).toEqual([
      ['index-url', 'https://mirror.example/simple', 2],
      ['extra-index-url', 'https://pypi.internal/simple', 2],
      ['trusted-host', 'pypi.internal', 2],
      ['extra-index-url', 'https://uv.internal/simple', 3],
    ]);
    expect(result.dependencies.map((d) => [d.name, d.version])).toEqual([
      ['app', '1.0'],
      ['tool', '2.0'],
    ]);
  });

  it('leaves -r and -c files to discovery when their names say requirements, and names the others in a notice', () => {
    const result = extract(
      [
        'FROM python:3.12',
        'COPY requirements.txt deps.txt ./',
        'RUN pip install -r requirements.txt -c constraints.txt && pip install --requirement=/app/deps.txt',
      ].join('\n'),
    );
    expect(result.dependencies).toEqual([]);
    expect(result.includes ?? []).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.notices).toEqual([expect.stringContaining("Dockerfile:3: pip installs the requirements of '/app/deps.txt' (-r)")]);
  });

  it('says a shell variable or pattern cannot be read, never passes it silently (the audit is partial)', () => {
    const result = extract(
      [
        'FROM python:3.12',
        'ARG POETRY_VERSION=1.8.2',
        'RUN pip install "poetry==${POETRY_VERSION}" $EXTRA flask==2.0.1',
        'RUN pip install /tmp/wheels/*.whl',
        "RUN pip install 'literal$dollar==1'",
      ].join('\n'),
    );
    expect(result.dependencies.map((d) => d.name)).toEqual(['flask']);
    expect(result.errors.map((e) => [e.line, e.message, e.note])).toEqual([
      [3, expect.stringContaining('pip install "poetry==${POETRY_VERSION}": a shell value, known only when the image is built'), undefined],
      [3, expect.stringContaining('pip install $EXTRA: a shell value'), undefined],
      [4, expect.stringContaining('a file pattern'), undefined],
      // Single quotes keep the $: pip is given it, and rejects it as pip would.
      [5, expect.stringContaining('Invalid requirement'), undefined],
    ]);
  });

  it('puts in what an earlier ENV of the stage (or of the stage it is built FROM) sets, as Docker does; never a build argument', () => {
    const result = extract(
      [
        'FROM python:3.12 AS base',
        'ENV POETRY_VERSION=1.8.5 \\',
        '    DJANGO=django==3.2',
        'ARG FLASK_VERSION=2.0.1',
        'RUN pip install "poetry==$POETRY_VERSION" ${DJANGO} flask==${FLASK_VERSION}',
        'FROM base',
        'RUN pip install "poetry==${POETRY_VERSION}" \'literal==$POETRY_VERSION\'',
        'RUN POETRY_VERSION=2.0 && pip install poetry==$POETRY_VERSION',
        'FROM python:3.12',
        'RUN pip install "poetry==$POETRY_VERSION"',
      ].join('\n'),
    );
    expect(result.dependencies.map((d) => [d.name, d.specifier, d.line])).toEqual([
      ['poetry', '==1.8.5', 5],
      ['django', '==3.2', 5],
      ['poetry', '==1.8.5', 7],
    ]);
    expect(result.errors.map((e) => [e.line, e.message.split(':')[0]])).toEqual([
      // A build argument: `--build-arg FLASK_VERSION=…` changes it.
      [5, 'pip install flask==${FLASK_VERSION}'],
      // Single quotes: pip is given the `$` itself, and rejects it.
      [7, 'pip install'],
      // The RUN sets it itself.
      [8, 'pip install poetry==$POETRY_VERSION'],
      // Another stage's ENV is not this one's.
      [10, 'pip install "poetry==$POETRY_VERSION"'],
    ]);
  });

  it('reads exec form, a shell -c script and a here-document run by the shell', () => {
    const text = [
      'FROM python:3.12',
      'RUN ["pip", "install", "flask==2.0.1"]',
      'RUN ["/bin/sh", "-c", "pip install requests==2.19.0 && echo ok"]',
      'RUN <<EOF',
      'set -e',
      'pip install \\',
      '  django==3.2',
      'EOF',
      'RUN ["echo", "pip", "install", "not-this==1"]',
    ].join('\n');
    expect(pins(text)).toEqual([
      ['flask', '==2.0.1', '2.0.1', 2],
      ['requests', '==2.19.0', '2.19.0', 3],
      ['django', '==3.2', '3.2', 4],
    ]);
  });

  it('passes over what is not a pip install: other commands, comments, pip download, pip in a word', () => {
    const text = [
      'FROM python:3.12',
      '# RUN pip install commented==1',
      'RUN echo pip install x==1 && pip download y==1 -d /w && pip freeze > r.txt && pipx install z==1',
      'RUN pip install --help # pip install a==1',
      'RUN python -c "import pip" && python app.py install b==1',
    ].join('\n');
    const result = extract(text);
    expect(result.dependencies).toEqual([]);
    expect(result.errors).toEqual([]);
  });

  it('a Dockerfile without pip installs gives nothing', () => {
    expect(extract('FROM golang:1.22\nRUN go build ./...\n')).toEqual({ dependencies: [], errors: [], options: [] });
  });

  it('reads one RUN of 100k continuation lines in linear time, to the entry limit and says where it stopped', () => {
    const lines = ['FROM python:3.12', 'RUN pip install \\'];
    for (let i = 0; i < 100_500; i++) lines.push(`  p${i}==1.0 \\`);
    lines.push('  last==1');
    const started = performance.now();
    const result = extract(lines.join('\n'));
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(result.dependencies).toHaveLength(MAX_ENTRIES_PER_FILE);
    expect(result.errors).toEqual([expect.objectContaining({ line: 2, message: expect.stringContaining('reading stopped here') })]);
  });

  it('reads thousands of continuation lines and a 100k-character argument in one pass', () => {
    const many = ['FROM python:3.12', 'RUN pip install \\', ...Array.from({ length: 5_000 }, (_, i) => `  -U \\`), '  a==1'].join('\n');
    expect(pins(many)).toEqual([['a', '==1', '1', 2]]);
    const long = extract(`FROM python:3.12\nRUN pip install 'x${'['.repeat(100_000)}'\n`);
    expect(long.dependencies).toEqual([]);
    expect(long.errors).toEqual([expect.objectContaining({ line: 2, message: expect.stringContaining('Invalid requirement') })]);
  });
});
