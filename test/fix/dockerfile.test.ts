import { describe, expect, it } from 'vitest';
import { dockerfileRewriter } from '../../src/fix/formats/dockerfile.js';
import { rewriterFor } from '../../src/fix/formats/index.js';
import { rewriteProblem } from '../../src/fix/plan.js';
import { dockerfileFormat } from '../../src/python/formats/dockerfile.js';
import type { FixTarget } from '../../src/fix/types.js';
import { apply, changesOutside } from './helpers.js';

const django = (to = '2.2.28'): FixTarget => ({ name: 'django', from: '2.1.5', to, advisories: ['PYSEC-2019-13'] });
const FILE = 'Dockerfile';

const dockerfile = (...lines: string[]) => ['FROM python:3.12-slim', 'WORKDIR /app', ...lines, ''].join('\n');

function rewrite(text: string, targets: FixTarget[] = [django()]) {
  const result = dockerfileRewriter.rewrite(text, FILE, targets);
  const after = apply(text, result.edits);
  const before = dockerfileFormat.extract(text, { file: FILE }).dependencies;
  // The planner's guard: the new file reads as the old one apart from the moved constraints.
  const problem = rewriteProblem({ path: FILE, format: 'dockerfile', text }, before, after, result.changes);
  const read = dockerfileFormat.extract(after, { file: FILE }).dependencies.map((d) => `${d.name}${d.specifier}`);
  return { ...result, after, problem, read, outside: changesOutside(text, after, result.changes.map((c) => c.lines)) };
}

describe('the Dockerfile rewriter', () => {
  it('is the rewriter depwatch fix uses for Dockerfiles', () => {
    expect(rewriterFor('dockerfile')).toBe(dockerfileRewriter);
  });

  it('changes only the version of a plain pin, on its continuation line, keeping every other character', () => {
    const text = dockerfile('RUN pip install --no-cache-dir \\', '    requests==2.31.0 \\', '    django==2.1.5 \\', '    flask>=2.0 && echo done');
    const { after, changes, problem, read, outside, leftAlone } = rewrite(text);
    expect(after).toBe(dockerfile('RUN pip install --no-cache-dir \\', '    requests==2.31.0 \\', '    django==2.2.28 \\', '    flask>=2.0 && echo done'));
    expect(changes).toEqual([expect.objectContaining({ file: FILE, line: 5, lines: { first: 5, last: 5 }, package: 'django', before: '==2.1.5', after: '==2.2.28' })]);
    expect(leftAlone).toEqual([]);
    expect(problem).toBeNull();
    expect(read).toEqual(['requests==2.31.0', 'django==2.2.28', 'flask']);
    expect(outside).toEqual([]);
  });

  it('rewrites inside single and double quotes with extras and markers, and in an exec-form RUN', () => {
    const text = dockerfile(
      `RUN pip install 'django[argon2]==2.1.5; python_version >= "3.8"' && python3 -m pip install "django==2.1.5"`,
      'RUN ["pip", "install", "django==2.1.5"]',
    );
    const { after, changes, problem, read } = rewrite(text);
    expect(after).toBe(
      dockerfile(`RUN pip install 'django[argon2]==2.2.28; python_version >= "3.8"' && python3 -m pip install "django==2.2.28"`, 'RUN ["pip", "install", "django==2.2.28"]'),
    );
    expect(changes.map((c) => [c.line, c.after])).toEqual([
      [3, '==2.2.28'],
      [3, '==2.2.28'],
      [4, '==2.2.28'],
    ]);
    expect(problem).toBeNull();
    expect(read).toEqual(['django==2.2.28', 'django==2.2.28', 'django==2.2.28']);
  });

  it('widens a quoted range as far as the fix needs, in its own style', () => {
    const { after, problem } = rewrite(dockerfile(`RUN pip install 'django>=2.1,<2.2'`));
    expect(after).toBe(dockerfile(`RUN pip install 'django>=2.1,<2.3'`));
    expect(problem).toBeNull();
  });

  it('leaves a pin set through ENV, one in a here-document and one quoted in parts to the user, saying why', () => {
    const text = dockerfile('ENV DJANGO_VERSION=2.1.5', 'RUN pip install "django==$DJANGO_VERSION"', 'RUN <<EOF', 'pip install django==2.1.5', 'EOF', 'RUN pip install django"==2.1.5"');
    const { edits, leftAlone } = rewrite(text);
    expect(edits).toEqual([]);
    expect(leftAlone.map((l) => [l.kind, l.line, l.reason])).toEqual([
      ['not-understood', 4, expect.stringContaining("set through ENV, in a here-document or a shell's -c script, or quoted in parts); change it by hand")],
      // The here-document's line the pin is written on.
      ['not-understood', 6, expect.stringContaining('change it by hand')],
      ['not-understood', 8, expect.stringContaining('change it by hand')],
    ]);
  });

  it('says a VCS or URL install of the release is changed by hand, and leaves pins that already admit the fix', () => {
    const text = dockerfile('RUN pip install https://example.com/dist/Django-2.1.5.tar.gz django>=2.0');
    const { edits, leftAlone } = rewrite(text);
    expect(edits).toEqual([]);
    expect(leftAlone).toEqual([expect.objectContaining({ kind: 'non-registry', line: 3 })]);
  });

  it('reports each pin of a continued RUN at the line it rewrites, as the audit and deps place it', () => {
    const requests: FixTarget = { name: 'requests', from: '2.19.1', to: '2.20.0', advisories: ['PYSEC-2018-28'] };
    const pyyaml: FixTarget = { name: 'pyyaml', from: '5.3.1', to: '5.4', advisories: ['PYSEC-2021-142'] };
    const text = dockerfile('RUN pip install \\', '    requests==2.19.1 \\', '    # a comment line', '    "pyyaml==5.3.1"');
    const { after, changes, problem, leftAlone } = rewrite(text, [requests, pyyaml]);
    expect(after).toBe(dockerfile('RUN pip install \\', '    requests==2.20.0 \\', '    # a comment line', '    "pyyaml==5.4"'));
    expect(changes.map((c) => [c.package, c.line, c.lines])).toEqual([
      ['requests', 4, { first: 4, last: 4 }],
      ['pyyaml', 6, { first: 6, last: 6 }],
    ]);
    expect(leftAlone).toEqual([]);
    expect(problem).toBeNull();
    const lines = dockerfileFormat.extract(text, { file: FILE }).dependencies.map((d) => [d.name, d.line]);
    expect(lines).toEqual([
      ['requests', 4],
      ['pyyaml', 6],
    ]);
  });

  it('rewrites the pin of the line the parser read it on when the same pin is on several lines of one RUN', () => {
    const text = dockerfile('RUN pip install django==2.1.5 \\', '  && pip install --target /opt/b \\', '     django==2.1.5');
    const { after, changes, problem } = rewrite(text);
    expect(after).toBe(dockerfile('RUN pip install django==2.2.28 \\', '  && pip install --target /opt/b \\', '     django==2.2.28'));
    expect(changes.map((c) => [c.line, c.lines.first])).toEqual([
      [3, 3],
      [5, 5],
    ]);
    expect(problem).toBeNull();
  });

  it('rewrites the pins of ONBUILD RUN and pipx, and leaves one in a -c script to the user at its line', () => {
    const text = dockerfile(
      'ONBUILD RUN pip install \\', // 3
      '    django==2.1.5', // 4
      'ONBUILD RUN ["pip", "install", "django==2.1.5"]', // 5
      'RUN pipx inject app django==2.1.5', // 6
      'RUN bash -c \\', // 7
      '    "pip install django==2.1.5"', // 8
    );
    const { after, changes, leftAlone, problem } = rewrite(text);
    expect(after).toBe(
      dockerfile('ONBUILD RUN pip install \\', '    django==2.2.28', 'ONBUILD RUN ["pip", "install", "django==2.2.28"]', 'RUN pipx inject app django==2.2.28', 'RUN bash -c \\', '    "pip install django==2.1.5"'),
    );
    expect(changes.map((c) => c.line)).toEqual([4, 5, 6]);
    expect(leftAlone.map((l) => [l.kind, l.line, l.reason])).toEqual([['not-understood', 8, expect.stringContaining("a shell's -c script")]]);
    expect(problem).toBeNull();
  });

  it("rewrites the pins of uv's tools, each of a --with list, and of commands run as another user; leaves su's script to the user", () => {
    const text = dockerfile(
      'RUN uv tool install --with django==2.1.5 tool==1.0 && uvx django==2.1.5', // 3
      'RUN gosu app pip install django==2.1.5 && runuser -u app -- pip install \\', // 4
      '      django==2.1.5', // 5
      "RUN uvx --with 'six==1.16.0,django==2.1.5' tool==1.0 && uvx --with=six==1.16.0,django==2.1.5 tool==1.0", // 6
      'RUN su app -c "pip install django==2.1.5"', // 7
    );
    const { after, changes, leftAlone, problem } = rewrite(text);
    expect(after).toBe(
      dockerfile(
        'RUN uv tool install --with django==2.2.28 tool==1.0 && uvx django==2.2.28',
        'RUN gosu app pip install django==2.2.28 && runuser -u app -- pip install \\',
        '      django==2.2.28',
        "RUN uvx --with 'six==1.16.0,django==2.2.28' tool==1.0 && uvx --with=six==1.16.0,django==2.2.28 tool==1.0",
        'RUN su app -c "pip install django==2.1.5"',
      ),
    );
    expect(changes.map((c) => c.line)).toEqual([3, 3, 4, 5, 6, 6]);
    expect(leftAlone.map((l) => [l.kind, l.line, l.reason])).toEqual([['not-understood', 7, expect.stringContaining("a shell's -c script")]]);
    expect(problem).toBeNull();
  });

  it("rewrites uv's name@version as a version after the @, a requirement joined to --with=, --from= or --spec= by its =, and those of a --with list", () => {
    const text = dockerfile(
      'RUN uvx django@2.1.5 check && uv tool install "django[argon2]@2.1.5" && uvx --from=django@2.1.5 tool', // 3
      "RUN uvx --with=django==2.1.5 tool==1.0 && uv run '--with=django>=2.1,<2.2' python && pipx run --spec=django==2.1.5 app", // 4
      'RUN ["uvx", "django@2.1.5"]', // 5
      'RUN uvx django@latest && uvx django@2.2.28', // 6
      "RUN uvx --with 'six, django>=2.1,<2.2 ,attrs' --with=django[argon2]==2.1.5,idna tool", // 7
    );
    const { after, changes, leftAlone, problem, read } = rewrite(text);
    expect(after).toBe(
      dockerfile(
        'RUN uvx django@2.2.28 check && uv tool install "django[argon2]@2.2.28" && uvx --from=django@2.2.28 tool',
        "RUN uvx --with=django==2.2.28 tool==1.0 && uv run '--with=django>=2.1,<2.3' python && pipx run --spec=django==2.2.28 app",
        'RUN ["uvx", "django@2.2.28"]',
        'RUN uvx django@latest && uvx django@2.2.28',
        "RUN uvx --with 'six, django>=2.1,<2.3 ,attrs' --with=django[argon2]==2.2.28,idna tool",
      ),
    );
    expect(changes.map((c) => [c.line, c.before, c.after])).toEqual([
      [3, '@2.1.5', '@2.2.28'],
      [3, '@2.1.5', '@2.2.28'],
      [3, '@2.1.5', '@2.2.28'],
      [4, '==2.1.5', '==2.2.28'],
      [4, '>=2.1,<2.2', '>=2.1,<2.3'],
      [4, '==2.1.5', '==2.2.28'],
      [5, '@2.1.5', '@2.2.28'],
      [7, '>=2.1,<2.2', '>=2.1,<2.3'],
      [7, '==2.1.5', '==2.2.28'],
    ]);
    expect(leftAlone).toEqual([]);
    expect(problem).toBeNull();
    expect(read).toContain('django==2.2.28');
  });

  it('leaves a file whose escape character is the backtick alone', () => {
    const text = ['# escape=`', 'FROM python:3.12', 'RUN pip install `', '    django==2.1.5', ''].join('\n');
    const { edits, leftAlone } = rewrite(text);
    expect(edits).toEqual([]);
    expect(leftAlone).toEqual([expect.objectContaining({ kind: 'not-understood' })]);
  });

  it('rewrites a RUN of 20,000 pins of the release in one pass', () => {
    const text = dockerfile('RUN pip install \\', ...Array.from({ length: 20_000 }, () => '  django==2.1.5 \\'), '  six==1.16.0');
    const started = performance.now();
    const { edits } = dockerfileRewriter.rewrite(text, FILE, [django()]);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(edits).toHaveLength(20_000);
  });

  it('rewrites 25,000 uv name@version, --with= and --with list pins in one pass, past a 1 MB word holding @ and a list of 200k commas, in linear time', () => {
    const text = dockerfile(
      'RUN uvx \\',
      ...Array.from({ length: 10_000 }, () => '  --with=django==2.1.5 \\'),
      ...Array.from({ length: 10_000 }, () => '  django@2.1.5 && uvx \\'),
      `  --with=${'django==2.1.5,'.repeat(5_000)}${', <'.repeat(100_000)} \\`,
      `  ${'a'.repeat(500_000)}@${'1.'.repeat(250_000)}x`,
    );
    const started = performance.now();
    const { edits } = dockerfileRewriter.rewrite(text, FILE, [django()]);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(edits).toHaveLength(25_000);
    expect(new Set(edits.map((e) => e.text))).toEqual(new Set(['==2.2.28', '2.2.28']));
  });
});
