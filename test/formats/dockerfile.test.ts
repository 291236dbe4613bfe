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

  it('reads the handwritten Dockerfile: every install shape at the line its requirement is written on, a variable as a problem', () => {
    const result = extract(fixture('handwritten/Dockerfile'));
    expect(result.dependencies.map((d) => [d.name, d.specifier, d.source, d.line])).toEqual([
      ['pip', '==24.0', 'registry', 8],
      ['setuptools', '', 'registry', 8],
      ['wheel', '', 'registry', 8],
      ['gunicorn', '==22.0.0', 'registry', 11],
      ['uvicorn', '<0.30,>=0.23', 'registry', 11],
      ['internal-sdk', '==3.1.0', 'registry', 12],
      ['tool', '', 'vcs', 14],
      ['core', '', 'path', 15],
      ['celery', '==5.4.0', 'registry', 19],
      ['pywin32', '==306', 'registry', 19],
      // In the here-document's body, on its own line.
      ['sentry-sdk', '==2.14.0', 'registry', 24],
      ['flask', '==3.0.3', 'registry', 26],
      // Unquoted inside the -c script: `>=2` is a redirection, as the shell runs it.
      ['requests', '', 'registry', 27],
    ]);
    expect(result.options).toEqual([expect.objectContaining({ name: 'extra-index-url', value: 'https://pypi.internal.example/simple', line: 12 })]);
    expect(result.errors.map((e) => [e.line, e.message])).toEqual([[20, expect.stringMatching(/^pip install "poetry==\$\{POETRY_VERSION\}": a shell value/)]]);
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

  it('finds the install after &&, ; and | and across continuation lines, with options between the arguments, each at its own line', () => {
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
      ['gunicorn', '==21.2.0', '21.2.0', 5],
      ['celery', '==5.3.0', '5.3.0', 7],
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

  it('reads exec form, a shell -c script and a here-document run by the shell, a here-document line at its own line', () => {
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
      ['django', '==3.2', '3.2', 7],
    ]);
  });

  it('passes over what is not a pip install: other commands, comments, pip download, pip in a word', () => {
    const text = [
      'FROM python:3.12',
      '# RUN pip install commented==1',
      'RUN echo pip install x==1 && pip download y==1 -d /w && pip freeze > r.txt && pipx list && pipx uninstall z',
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
    // The first entry past the limit: line 3 holds the first.
    expect(result.errors).toEqual([expect.objectContaining({ line: MAX_ENTRIES_PER_FILE + 3, message: expect.stringContaining('reading stopped here') })]);
  });

  it('reads thousands of continuation lines and a 100k-character argument in one pass', () => {
    const many = ['FROM python:3.12', 'RUN pip install \\', ...Array.from({ length: 5_000 }, (_, i) => `  -U \\`), '  a==1'].join('\n');
    expect(pins(many)).toEqual([['a', '==1', '1', 5_003]]);
    const long = extract(`FROM python:3.12\nRUN pip install 'x${'['.repeat(100_000)}'\n`);
    expect(long.dependencies).toEqual([]);
    expect(long.errors).toEqual([expect.objectContaining({ line: 2, message: expect.stringContaining('Invalid requirement') })]);
  });

  describe('the line of each entry, option and problem: where its word is written', () => {
    it('puts each requirement of a continued RUN at its own line, its options and problems at theirs, past comment lines', () => {
      const result = extract(
        [
          'FROM python:3.12', // 1
          'RUN pip install \\', // 2
          '    requests==2.19.1 \\', // 3
          '    # a comment line between continuation lines', // 4
          '    "pyyaml==5.3.1" \\', // 5
          '    --extra-index-url \\', // 6
          '      https://pypi.internal/simple \\', // 7
          '    -r /app/deps.txt \\', // 8
          '    "poetry==$UNSET" && \\', // 9
          '    pip install flask==2.0.1', // 10
        ].join('\n'),
      );
      expect(result.dependencies.map((d) => [d.name, d.line])).toEqual([
        ['requests', 3],
        ['pyyaml', 5],
        ['flask', 10],
      ]);
      // An option is at its own word's line; a problem with a value at the value's.
      expect(result.options?.map((o) => [o.name, o.line])).toEqual([['extra-index-url', 6]]);
      expect(result.errors.map((e) => [e.line, e.message.split(':')[0]])).toEqual([[9, 'pip install "poetry==$UNSET"']]);
      expect(result.notices).toEqual([expect.stringMatching(/^Dockerfile:8: pip installs the requirements of '\/app\/deps.txt'/)]);
    });

    it('puts an exec-form string at its line, and each here-document line at its own', () => {
      const text = [
        'FROM python:3.12', // 1
        'RUN ["pip", "install", \\', // 2
        '     "flask==2.0.1", \\', // 3
        '     "six==1.16.0"]', // 4
        'RUN ["/bin/sh", "-c", \\', // 5
        '     "pip install requests==2.19.0"]', // 6
        'RUN <<EOF', // 7
        'pip install django==3.2 \\', // 8
        '  celery==5.3.0', // 9
        '# a comment', // 10
        'pip install attrs==23.1.0', // 11
        'EOF', // 12
        'RUN bash -e <<-SCRIPT', // 13
        '\tpip install pyyaml==5.3.1', // 14
        '\tSCRIPT', // 15
      ].join('\n');
      expect(pins(text).map(([name, , , line]) => [name, line])).toEqual([
        ['flask', 3],
        ['six', 4],
        ['requests', 6],
        ['django', 8],
        ['celery', 9],
        ['attrs', 11],
        ['pyyaml', 14],
      ]);
    });

    it('keeps lines right after a blank continuation line, a line of only the escape, and the backtick escape', () => {
      expect(pins(['FROM python:3.12', 'RUN \\', '', '  pip install \\', '\\', '  flask==2.0.1'].join('\n'))).toEqual([['flask', '==2.0.1', '2.0.1', 6]]);
      expect(pins(['# escape=`', 'FROM python:3.12', 'RUN pip install `', '    flask==2.0.1 `', '    six==1.16.0'].join('\n'))).toEqual([
        ['flask', '==2.0.1', '2.0.1', 4],
        ['six', '==1.16.0', '1.16.0', 5],
      ]);
    });
  });

  describe('ONBUILD RUN', () => {
    it('reads the pip installs of ONBUILD RUN, which run in every image built FROM this one, at their lines', () => {
      const result = extract(
        [
          'FROM python:3.12', // 1
          'ENV DJANGO_VERSION=2.1.5', // 2
          'ONBUILD RUN pip install "django==$DJANGO_VERSION" \\', // 3
          '    requests==2.19.1', // 4
          'onbuild run ["pip", "install", "flask==0.12"]', // 5
          'ONBUILD RUN <<EOF', // 6
          'pip install pyyaml==5.3.1', // 7
          'EOF', // 8
          'ONBUILD COPY requirements.txt .', // 9
          'ONBUILD RUN pip install "celery==$CELERY"', // 10
          // Set after the ONBUILD lines, yet in the image the trigger runs on.
          'ENV CELERY=5.3.0', // 11
        ].join('\n'),
      );
      expect(result.errors).toEqual([]);
      expect(result.dependencies.map((d) => [d.name, d.specifier, d.line])).toEqual([
        ['django', '==2.1.5', 3],
        ['requests', '==2.19.1', 4],
        ['flask', '==0.12', 5],
        ['pyyaml', '==5.3.1', 7],
        ['celery', '==5.3.0', 10],
      ]);
    });
  });

  describe("a shell's -c script in the command line", () => {
    it('reads a single- or double-quoted -c script of bash, sh and the rest as a RUN line, after sudo, env and the shell options', () => {
      const text = [
        'FROM python:3.12', // 1
        'RUN bash -c "pip install flask==0.12"', // 2
        "RUN apt-get update && sh -c 'pip install requests==2.19.1 && pip install \"pyyaml==5.3.1\"'", // 3
        'RUN sudo -u app /bin/bash -euo pipefail -c "pip install \\"django==2.1.5\\" six==1.16.0"', // 4
        'RUN ["/bin/bash", "-o", "pipefail", "-c", "bash -c \'pip install celery==5.3.0\'"]', // 5
        "RUN sh -c 'sh -c \"pip install attrs==23.1.0\"'", // 6
        'RUN bash -c \\', // 7
        '  "pip install \\', // 8
        '    jinja2==2.10"', // 9
        'RUN bash setup.sh pip install not-this==1 && bash -c -- "pip install toml==0.10.0" name', // 10
      ].join('\n');
      const result = extract(text);
      expect(result.errors).toEqual([]);
      expect(result.dependencies.map((d) => [d.name, d.specifier, d.line])).toEqual([
        ['flask', '==0.12', 2],
        ['requests', '==2.19.1', 3],
        ['pyyaml', '==5.3.1', 3],
        ['django', '==2.1.5', 4],
        ['six', '==1.16.0', 4],
        ['celery', '==5.3.0', 5],
        ['attrs', '==23.1.0', 6],
        // Docker joins the lines before the shell reads the quotes: the requirement's own line.
        ['jinja2', '==2.10', 9],
        ['toml', '==0.10.0', 10],
      ]);
    });

    it('puts in what ENV sets where the outer shell or the inner one does, and says a value only the build knows as not read', () => {
      const result = extract(
        [
          'FROM python:3.12', // 1
          'ENV FLASK=0.12 DJANGO=2.1.5', // 2
          'ARG PKGS', // 3
          'RUN bash -c "pip install flask==$FLASK \'django==$DJANGO\'"', // 4
          "RUN bash -c 'pip install \"flask==$FLASK\"'", // 5
          // The outer shell fills $PKGS in before bash splits the script: only the build knows what it installs.
          'RUN bash -c "pip install \'$PKGS\' six==1.16.0"', // 6
          'RUN sh -c "pip install \\$PKGS"', // 7
          "RUN sh -c 'pip install `cat pins.txt`'", // 8
          'RUN pip install $(cat pins.txt)', // 9
        ].join('\n'),
      );
      expect(result.dependencies.map((d) => [d.name, d.specifier, d.line])).toEqual([
        ['flask', '==0.12', 4],
        ['django', '==2.1.5', 4],
        ['flask', '==0.12', 5],
        ['six', '==1.16.0', 6],
      ]);
      expect(result.errors.map((e) => [e.line, e.message])).toEqual([
        [6, expect.stringMatching(/^pip install '\$PKGS': a shell value, known only when the image is built/)],
        [7, expect.stringMatching(/^pip install \$PKGS: a shell value/)],
        [8, expect.stringMatching(/^pip install `cat pins.txt`: a shell value/)],
        [9, expect.stringMatching(/^pip install \$\(cat pins.txt\): a shell value/)],
      ]);
    });

    it('says a script nested in more shells than it reads as not read (partial), never passes it silently', () => {
      // Each shell given the last command as its -c script, quoted as the shell quotes it.
      const nested = (depth: number): string => {
        let command = 'pip install flask==0.12';
        for (let n = 0; n < depth; n++) command = `sh -c '${command.replace(/'/g, `'\\''`)}'`;
        return command;
      };
      expect(pins(`FROM python:3.12\nRUN ${nested(4)}\n`)).toEqual([['flask', '==0.12', '0.12', 2]]);
      const result = extract(`FROM python:3.12\nRUN ${nested(5)}\n`);
      expect(result.dependencies).toEqual([]);
      expect(result.errors).toEqual([expect.objectContaining({ line: 2, message: expect.stringContaining("a shell's script inside 4 others; what it runs was not read") })]);
    });

    it('says a -c script longer than 64 KiB as not read (partial), and reads the commands around it', () => {
      const long = `pip install flask==0.12 ${'a'.repeat(70_000)}`;
      const result = extract(`FROM python:3.12\nRUN pip install requests==2.0.0 && bash -c "${long}"\n`);
      expect(result.dependencies.map((d) => d.name)).toEqual(['requests']);
      expect(result.errors).toEqual([expect.objectContaining({ line: 2, message: expect.stringContaining('a script of 70,026 characters (the limit is 65,536); what it runs was not read') })]);
      expect(pins(`FROM python:3.12\nRUN bash -c "pip install flask==0.12 ${'a'.repeat(60_000)}"\n`)).toContainEqual(['flask', '==0.12', '0.12', 2]);
    });
  });

  describe('pipx', () => {
    it('reads pipx install, inject, run and runpip as pins and ranges, as pip installs are', () => {
      const text = [
        'FROM python:3.12', // 1
        'RUN pipx install black==22.1.0 "isort>=5" --python python3.12 --suffix @22', // 2
        'RUN pipx inject --include-apps poetry poetry-plugin-export==1.6.0 -r /tmp/plugins.txt', // 3
        'RUN pipx run --spec ansible-core==2.15.0 ansible-playbook site.yml && pipx run cowsay==6.0 -t hello', // 4
        'RUN pipx run --with pyyaml==5.3.1 yamllint==1.26.0 --version', // 5
        'RUN pipx runpip poetry install --no-cache-dir jinja2==2.10', // 6
        'RUN python3 -m pipx install --preinstall setuptools==68.0.0 -e ./tools/cli', // 7
        'RUN ["pipx", "install", "httpie==3.2.1"]', // 8
        'RUN pipx install httpie --spec httpie==3.2.2', // 9
        'RUN pipx list && pipx uninstall black && pipx upgrade poetry', // 10
      ].join('\n');
      const result = extract(text);
      expect(result.errors).toEqual([]);
      expect(result.dependencies.map((d) => [d.name, d.specifier, d.source, d.editable, d.line])).toEqual([
        ['black', '==22.1.0', 'registry', false, 2],
        ['isort', '>=5', 'registry', false, 2],
        ['poetry-plugin-export', '==1.6.0', 'registry', false, 3],
        ['ansible-core', '==2.15.0', 'registry', false, 4],
        ['cowsay', '==6.0', 'registry', false, 4],
        ['pyyaml', '==5.3.1', 'registry', false, 5],
        ['yamllint', '==1.26.0', 'registry', false, 5],
        ['jinja2', '==2.10', 'registry', false, 6],
        ['setuptools', '==68.0.0', 'registry', false, 7],
        ['cli', '', 'path', true, 7],
        ['httpie', '==3.2.1', 'registry', false, 8],
        // Older pipx's --spec: the positional is only the app's name.
        ['httpie', '==3.2.2', 'registry', false, 9],
      ]);
      expect(result.notices).toEqual([expect.stringMatching(/^Dockerfile:3: pipx installs the requirements of '\/tmp\/plugins.txt' \(-r\)/)]);
    });

    it("reads pipx's --index-url and the index options it gives pip (--pip-args), abbreviated as argparse allows", () => {
      const result = extract(
        [
          'FROM python:3.12',
          'RUN pipx install --index-url https://mirror.example/simple tool==1.0',
          'RUN pipx install --pip-args "--extra-index-url https://pypi.internal/simple --no-cache-dir" app==2.0',
          "RUN pipx install --pip-arg='--extra-index https://abbreviated.internal/simple' other==3.0",
        ].join('\n'),
      );
      expect(result.errors).toEqual([]);
      expect(result.options?.map((o) => [o.name, o.value, o.line])).toEqual([
        ['index-url', 'https://mirror.example/simple', 2],
        ['extra-index-url', 'https://pypi.internal/simple', 3],
        ['extra-index-url', 'https://abbreviated.internal/simple', 4],
      ]);
      expect(result.dependencies.map((d) => d.name)).toEqual(['tool', 'app', 'other']);
    });

    it('says a pipx run of a script, and a --pip-args that does not split, as not read (partial)', () => {
      const result = extract(['FROM python:3.12', 'RUN pipx run ./scripts/migrate.py --now', 'RUN pipx run https://example.com/tool.py', `RUN pipx install --pip-args "--index-url 'x" app==1`].join('\n'));
      expect(result.dependencies.map((d) => d.name)).toEqual(['app']);
      expect(result.errors.map((e) => [e.line, e.message])).toEqual([
        [2, expect.stringMatching(/^pipx run \.\/scripts\/migrate\.py: runs a script, whose dependencies \(its inline metadata\) were not read/)],
        [3, expect.stringMatching(/^pipx run https:\/\/example\.com\/tool\.py: runs a script/)],
        [4, expect.stringContaining('pipx cannot split it into words')],
      ]);
    });
  });

  describe("pip's abbreviated options (optparse: a unique prefix stands for the option)", () => {
    it('reads an abbreviation as the option it stands for, its value never as a requirement', () => {
      const result = extract(
        [
          'FROM python:3.12', // 1
          'RUN pip install --extra-index https://pypi.internal/simple internal-lib==1.0', // 2
          'RUN pip install --index https://mirror.example/simple --no-cache flask==2.0.1', // 3
          'RUN pip install --extra-index=https://other.internal/simple --trusted pypi.internal --constr /app/pins.txt six==1.16.0', // 4
          'RUN pip --no-cache --disable install --requirement requirements.txt attrs==23.1.0', // 5
        ].join('\n'),
      );
      expect(result.errors).toEqual([]);
      expect(result.dependencies.map((d) => [d.name, d.line])).toEqual([
        ['internal-lib', 2],
        ['flask', 3],
        ['six', 4],
        ['attrs', 5],
      ]);
      expect(result.options?.map((o) => [o.name, o.value, o.line])).toEqual([
        ['extra-index-url', 'https://pypi.internal/simple', 2],
        ['index-url', 'https://mirror.example/simple', 3],
        ['extra-index-url', 'https://other.internal/simple', 4],
        ['trusted-host', 'pypi.internal', 4],
      ]);
      expect(result.notices).toEqual([expect.stringContaining("Dockerfile:4: pip installs the constraints of '/app/pins.txt' (-c)")]);
    });

    it('says an abbreviation pip refuses as ambiguous (--req, --ex) makes the command fail, and reads none of it (partial)', () => {
      const result = extract(['FROM python:3.12', 'RUN pip install --req requirements.txt flask==2.0.1', 'RUN pip3 install --ex https://x.example/simple six==1.16.0 && pip install attrs==23.1.0'].join('\n'));
      expect(result.dependencies.map((d) => [d.name, d.line])).toEqual([['attrs', 3]]);
      expect(result.errors.map((e) => [e.line, e.message])).toEqual([
        [2, expect.stringMatching(/^pip install: --req is the start of several options \(--require-hashes, --require-venv, --require-virtualenv, --requirement, --requirements-from-script\), which pip refuses as ambiguous/)],
        [3, expect.stringMatching(/^pip install: --ex is the start of several options \(--exists-action, --extra-index-url\)/)],
      ]);
    });

    it("reads uv's options only in full, as uv does", () => {
      const result = extract(['FROM python:3.12', 'RUN uv pip install --system --index https://uv.internal/simple --no-cache tool==2.0'].join('\n'));
      expect(result.errors).toEqual([]);
      expect(result.options?.map((o) => [o.name, o.value])).toEqual([['extra-index-url', 'https://uv.internal/simple']]);
      expect(result.dependencies.map((d) => d.name)).toEqual(['tool']);
    });
  });

  describe("uv's tools: uv tool install, uvx and uv tool run", () => {
    it('reads the tool, --from and --with as uv does: name@version a pin, @latest any version, --with a list split at its commas', () => {
      const result = extract(
        [
          'FROM python:3.12', // 1
          'RUN uv tool install ruff==0.6.0', // 2
          "RUN uv tool install --with 'dep==1.0,other>=2,<3' -w extra[cli]==4.0 black==24.1.0", // 3
          'RUN uvx pycowsay==0.0.0.2 hello && uvx ruff@0.5.0 check . && uvx ruff@latest format', // 4
          "RUN uvx --from 'httpie==3.2.1' http --version", // 5
          'RUN uv tool run --from mkdocs==1.5.3 --with mkdocs-material==9.5.0 mkdocs build', // 6
          'RUN uv --no-cache tool install -e ./tools/cli && uvx --python 3.12 isort==5.13.2 --check .', // 7
          "RUN uvx python@3.12 -c 'print(1)' && uv tool list && uv tool uninstall ruff", // 8
          'RUN uv tool install \\', // 9
          '      --with attrs==23.1.0 \\', // 10
          '      tox==4.0.0', // 11
        ].join('\n'),
      );
      expect(result.errors).toEqual([]);
      expect(result.dependencies.map((d) => [d.name, d.specifier, d.source, d.editable, d.line])).toEqual([
        ['ruff', '==0.6.0', 'registry', false, 2],
        ['black', '==24.1.0', 'registry', false, 3],
        ['dep', '==1.0', 'registry', false, 3],
        ['other', '<3,>=2', 'registry', false, 3],
        ['extra', '==4.0', 'registry', false, 3],
        ['pycowsay', '==0.0.0.2', 'registry', false, 4],
        ['ruff', '==0.5.0', 'registry', false, 4],
        ['ruff', '', 'registry', false, 4],
        ['httpie', '==3.2.1', 'registry', false, 5],
        ['mkdocs', '==1.5.3', 'registry', false, 6],
        ['mkdocs-material', '==9.5.0', 'registry', false, 6],
        ['cli', '', 'path', true, 7],
        ['isort', '==5.13.2', 'registry', false, 7],
        ['tox', '==4.0.0', 'registry', false, 11],
        ['attrs', '==23.1.0', 'registry', false, 10],
      ]);
    });

    it("keeps uv's index options and names --with-requirements files (a list split at commas); says uv add, which changes the image's project, as not read", () => {
      const result = extract(
        [
          'FROM python:3.12',
          'RUN uv tool install --index-url https://mirror.example/simple --extra-index-url https://pypi.internal/simple tool==1.0',
          'RUN uv pip install --system -r requirements.txt --index-url https://m.example/simple --extra-index-url https://e.example/simple flask==2.0.1',
          'RUN uvx --with-requirements /opt/plugins.txt,requirements.txt pytest==8.0.0 && uv tool install --with-requirements=/opt/x.txt,/opt/y.txt t',
          'RUN uv add requests==2.19.1',
        ].join('\n'),
      );
      expect(result.options?.map((o) => [o.name, o.value, o.line])).toEqual([
        ['index-url', 'https://mirror.example/simple', 2],
        ['extra-index-url', 'https://pypi.internal/simple', 2],
        ['index-url', 'https://m.example/simple', 3],
        ['extra-index-url', 'https://e.example/simple', 3],
      ]);
      expect(result.dependencies.map((d) => [d.name, d.line])).toEqual([
        ['tool', 2],
        ['flask', 3],
        ['pytest', 4],
        ['t', 4],
      ]);
      // A list split at its commas, as uv splits it; requirements.txt is read by discovery.
      expect(result.notices).toEqual([
        expect.stringMatching(/^Dockerfile:4: uv installs the requirements of '\/opt\/plugins.txt' \(-r\)/),
        expect.stringMatching(/^Dockerfile:4: uv installs the requirements of '\/opt\/x.txt' \(-r\)/),
        expect.stringMatching(/^Dockerfile:4: uv installs the requirements of '\/opt\/y.txt' \(-r\)/),
      ]);
      expect(result.errors.map((e) => [e.line, e.message])).toEqual([[5, expect.stringMatching(/^uv add: adds packages to the pyproject.toml and uv.lock of the project in the image/)]]);
    });
  });

  describe("uv run's --with and --with-requirements", () => {
    it('reads what --with installs alongside the command as uvx --with is read, and names --with-requirements files (split at commas, as uv run splits them)', () => {
      const result = extract(
        [
          'FROM python:3.12', // 1
          'RUN uv run --with django==2.1.5 --with "six==1.16.0,toml>=0.10,<1" python manage.py check', // 2
          'RUN uv run -w attrs==23.1.0 --with=idna==2.7 --no-project --python 3.12 -- pytest --with not-this==1', // 3
          'RUN uv --no-cache run --frozen --group dev --with-requirements /opt/a.txt,/opt/b.txt --with-editable ./lib script.py', // 4
          'RUN uv run --extra docs python -c "import flask" && uv run manage.py collectstatic', // 5
          'RUN uv run --new-flag celery==5.3.0 python', // 6
        ].join('\n'),
      );
      expect(result.dependencies.map((d) => [d.name, d.specifier, d.editable, d.line])).toEqual([
        ['django', '==2.1.5', false, 2],
        ['six', '==1.16.0', false, 2],
        ['toml', '<1,>=0.10', false, 2],
        ['attrs', '==23.1.0', false, 3],
        ['idna', '==2.7', false, 3],
        ['lib', '', true, 4],
      ]);
      expect(result.notices).toEqual([
        expect.stringMatching(/^Dockerfile:4: uv installs the requirements of '\/opt\/a.txt' \(-r\)/),
        expect.stringMatching(/^Dockerfile:4: uv installs the requirements of '\/opt\/b.txt' \(-r\)/),
      ]);
      expect(result.errors.map((e) => [e.line, e.message])).toEqual([[6, expect.stringMatching(/^uv run: --new-flag is not an option Depwatch knows uv to have .* celery==5.3.0/)]]);
    });
  });

  describe('commands run as another user (su, gosu, su-exec, runuser, sudo)', () => {
    it('reads the command each runs as if run directly, and the -c script su hands the shell, each pin at its line', () => {
      const text = [
        'FROM python:3.12', // 1
        'RUN su -c "pip install flask==1.0" app', // 2
        "RUN su app -c 'pip install six==1.16.0' && su - app --command='pip install attrs==23.1.0'", // 3
        'RUN gosu app pip install requests==2.19.1 && su-exec app:app pip install pyyaml==5.3.1', // 4
        'RUN runuser -u app -- pip install django==2.1.5 && runuser app -c "pip3 install celery==5.3.0"', // 5
        'RUN sudo -Hu app pip install jinja2==2.10 && sudo --user=app -- python -m pip install toml==0.10.0', // 6
        'RUN gosu app sh -c "pip install \\', // 7
        '      urllib3==1.24.1" && time -p pip install idna==2.7', // 8
        'RUN su app && gosu app && runuser -l app', // 9
        'RUN ["su", "app", "-c", "pip install zope.interface==5.0.0"]', // 10
        'RUN ["gosu", "app", "pip", "install", "certifi==2019.3.9"]', // 11
        'RUN ["su", "app", "--command=pip install idna==2.8"] ', // 12
        'RUN ["su", "-", "app", "-cpip install chardet==3.0.4"]', // 13
      ].join('\n');
      const result = extract(text);
      expect(result.errors).toEqual([]);
      expect(result.dependencies.map((d) => [d.name, d.specifier, d.line])).toEqual([
        ['flask', '==1.0', 2],
        ['six', '==1.16.0', 3],
        ['attrs', '==23.1.0', 3],
        ['requests', '==2.19.1', 4],
        ['pyyaml', '==5.3.1', 4],
        ['django', '==2.1.5', 5],
        ['celery', '==5.3.0', 5],
        ['jinja2', '==2.10', 6],
        ['toml', '==0.10.0', 6],
        ['urllib3', '==1.24.1', 8],
        ['idna', '==2.7', 8],
        ['zope-interface', '==5.0.0', 10],
        ['certifi', '==2019.3.9', 11],
        ['idna', '==2.8', 12],
        ['chardet', '==3.0.4', 13],
      ]);
    });

    it('reads the command env -, env VAR=x and timeout run, and says what xargs feeds a pip install from its input as not read (partial)', () => {
      const result = extract(
        [
          'FROM python:3.12', // 1
          'RUN env - PATH=/usr/bin pip install flask==1.0 && env PIP_NO_CACHE_DIR=1 pip install six==1.16.0', // 2
          'RUN timeout 600 pip install attrs==23.1.0 && timeout -s KILL --foreground 10m uv pip install idna==2.7', // 3
          'RUN cat requirements.txt | xargs -n 1 pip install', // 4
          'RUN find /wheels -name "*.whl" | xargs -I{} pip install {}', // 5
          'RUN ls | xargs rm -f && xargs -a list.txt echo', // 6
        ].join('\n'),
      );
      expect(result.dependencies.map((d) => [d.name, d.specifier, d.line])).toEqual([
        ['flask', '==1.0', 2],
        ['six', '==1.16.0', 2],
        ['attrs', '==23.1.0', 3],
        ['idna', '==2.7', 3],
      ]);
      expect(result.errors.map((e) => [e.line, e.message])).toEqual([
        [4, 'xargs pip install: xargs adds words it reads from its input to the command, so what it installs was not read; install from a requirements file instead (pip install -r FILE), which Depwatch reads'],
        [5, expect.stringMatching(/^xargs pip install: xargs adds words/)],
      ]);
    });

    it("reads su's script as a shell's: a value only the build knows is said, and one nested past the limit is said", () => {
      const result = extract(['FROM python:3.12', 'ARG PKG', 'RUN su app -c "pip install $PKG six==1.16.0"', `RUN su app -c "sh -c 'sh -c \\"sh -c \\\\\\"sh -c pip\\\\\\"\\"'"`].join('\n'));
      expect(result.dependencies.map((d) => d.name)).toEqual(['six']);
      expect(result.errors.map((e) => [e.line, e.message])).toEqual([
        [3, expect.stringMatching(/^pip install \$PKG: a shell value/)],
        [4, expect.stringContaining("a shell's script inside 4 others; what it runs was not read")],
      ]);
    });
  });

  describe('an option not known to be a flag (a newer release\'s?): the word after it is said, not guessed', () => {
    it('says the word an unknown option may take as its value, reads the rest, as each parser would in either reading', () => {
      const result = extract(
        [
          'FROM python:3.12', // 1
          'RUN pip install --new-flag flask==2.0.1 django==3.2', // 2
          'RUN pip install --new-option=value six==1.16.0 && pip install attrs==23.1.0 --new-flag', // 3
          'RUN pip install --new-flag -r /app/extra.txt toml==0.10.0', // 4
          'RUN pip install --new-flag --no-deps idna==2.7 && pip install -X jinja2==2.10', // 5
          'RUN pipx install --new-flag black==22.1.0 && pipx install --new-flag --force isort==5.0.0', // 6
          'RUN uv pip install --new-flag numpy==1.26.4 && uv pip install --system --no-cache --compile-bytecode pandas==2.2.0', // 7
          'RUN uvx --new-flag ruff==0.6.0', // 8
          // Older pips' flags, known in full: no doubt about the word after them.
          'RUN pip install --no-use-pep517 --egg mock==1.0.0', // 9
        ].join('\n'),
      );
      expect(result.dependencies.map((d) => [d.name, d.line])).toEqual([
        ['django', 2],
        ['six', 3],
        ['attrs', 3],
        ['toml', 4],
        ['idna', 5],
        ['isort', 6],
        ['pandas', 7],
        ['mock', 9],
      ]);
      expect(result.errors.map((e) => [e.line, e.message])).toEqual([
        [2, "pip install: --new-flag is not an option Depwatch knows pip to have (a newer release's?), so whether flask==2.0.1 after it is its value or a package to install is not known, and it was not read; write --new-flag=VALUE if it takes one"],
        // optparse takes `-r` as the unknown option's value if it takes one: then the file is a requirement.
        [4, expect.stringMatching(/^pip install: --new-flag is not an option .* whether \/app\/extra.txt after it is its value/)],
        [5, expect.stringMatching(/^pip install: -X is not an option Depwatch knows pip to have .* jinja2==2.10/)],
        [6, expect.stringMatching(/^pipx install: --new-flag is not an option Depwatch knows pipx to have .* black==22.1.0/)],
        [7, expect.stringMatching(/^pip install: --new-flag is not an option Depwatch knows pip to have .* numpy==1.26.4/)],
        [8, expect.stringMatching(/^uvx: --new-flag is not an option Depwatch knows uvx to have .* ruff==0.6.0/)],
      ]);
    });
  });

  it('reads the new shapes linearly: runners nested 20k deep, a 50k-requirement --with list, 20k unknown options, a 60k su script', () => {
    const started = performance.now();
    const runners = extract(`FROM python:3.12\nRUN ${'gosu app sudo -u app '.repeat(20_000)}pip install flask==2.0.1\n`);
    const list = extract(`FROM python:3.12\nRUN uvx --with '${Array.from({ length: 50_000 }, (_, i) => `p${i}==1.0`).join(',')}' tool==1\n`);
    const unknown = extract(`FROM python:3.12\nRUN pip install ${'--new x==1 '.repeat(20_000)}last==1\n`);
    const su = extract(`FROM python:3.12\nRUN su app -c "pip install flask==0.12 ${'a'.repeat(60_000)}"\n`);
    const commas = extract(`FROM python:3.12\nRUN uvx --with '${','.repeat(100_000)}' tool==1\n`);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(runners.dependencies.map((d) => d.name)).toEqual(['flask']);
    expect(list.dependencies).toHaveLength(50_001);
    expect(unknown.dependencies.map((d) => d.name)).toEqual(['last']);
    // One problem, said once for its line.
    expect(unknown.errors).toEqual([expect.objectContaining({ line: 2, message: expect.stringContaining('--new is not an option Depwatch knows pip to have') })]);
    expect(su.dependencies.map((d) => d.name)).toContain('flask');
    expect(commas.dependencies.map((d) => d.name)).toEqual(['tool']);
  });

  it('reads this round\'s shapes linearly: timeout/env -/xargs nested 20k deep, uv run with 20k --with and a 50k-file --with-requirements list, 10k exec-form su', () => {
    const started = performance.now();
    const runners = extract(`FROM python:3.12\nRUN ${'timeout 60 env - xargs -n 1 '.repeat(20_000)}pip install flask==2.0.1\n`);
    const run = extract(`FROM python:3.12\nRUN uv run ${'--with x==1 '.repeat(20_000)}--with-requirements ${Array.from({ length: 50_000 }, (_, i) => `/r${i}`).join(',')} python\n`);
    const su = extract(`FROM python:3.12\n${'RUN ["su", "app", "--command=pip install flask==0.12"]\n'.repeat(10_000)}`);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(runners.dependencies).toEqual([]);
    expect(runners.errors).toEqual([expect.objectContaining({ line: 2, message: expect.stringContaining('xargs adds words') })]);
    expect(run.dependencies).toHaveLength(20_000);
    expect(run.notices).toHaveLength(50_000);
    expect(su.dependencies).toHaveLength(10_000);
  });

  it('reads a 6,000-word -c script two shells deep and a 50k-word pipx install quickly, and says a 50k-word -c script as not read', () => {
    const words = (count: number) => Array.from({ length: count }, (_, i) => `p${i}==1.0`).join(' ');
    const started = performance.now();
    const nested = extract(`FROM python:3.12\nRUN sh -c "bash -c 'pip install ${words(6_000)} \\$(x'"\n`);
    const tooLong = extract(`FROM python:3.12\nRUN sh -c "bash -c 'pip install ${words(50_000)}'"\n`);
    const pipx = extract(`FROM python:3.12\nRUN pipx install --pip-args "${words(50_000)}" ${words(50_000)}\n`);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(nested.dependencies).toHaveLength(6_000);
    expect(nested.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('pip install $(x: a shell value') })]);
    expect(tooLong.dependencies).toEqual([]);
    expect(tooLong.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('(the limit is 65,536); what it runs was not read') })]);
    expect(pipx.dependencies).toHaveLength(100_000);
  });
});
