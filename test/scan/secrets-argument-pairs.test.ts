/**
 * A secret given to a secret name without `=` or `:` right after it: a quoted name as a call's
 * first argument with the value as its second (`os.environ.get("SECRET_KEY", "…")`, PHP's
 * `define`, Java's `setProperty`), or a subscript assigned (`settings["db_password"] = "…"`,
 * Ruby's `||=`). Judged as assignments are: placeholders and ordinary words stay quiet.
 */
import { describe, expect, it } from 'vitest';
import { scanFiles } from './helpers.js';

// Built from parts so this test file does not itself look like it holds credentials.
const RANDOM = 'Kp9wLm2QxR7v' + 'Tz4NaB3cD5eF';
const AWS_SECRET = 'El2hpChYgCfrL1spNxny' + 'VmihA+2O76UMFxFkM+R5';

function found(result: Awaited<ReturnType<typeof scanFiles>>): string[] {
  return result.findings.filter((f) => f.kind === 'secret').map((f) => `${f.file}:${f.line} ${f.rule}`).sort();
}

describe('a secret given as a (name, value) argument pair', () => {
  it('a default, a definition or a property set by a call with the name first is a secret written down', async () => {
    const result = await scanFiles({
      'app/settings.py': [
        'import os',
        `SECRET_KEY = os.environ.get("SECRET_KEY", "${RANDOM}")`,
        `API_TOKEN = os.getenv('API_TOKEN', '${RANDOM}')`,
        `os.environ.setdefault("DB_PASSWORD", "${RANDOM}")`,
      ].join('\n'),
      'wp-config.php': `<?php\ndefine('DB_PASSWORD', '${RANDOM}');\ndefine( 'AUTH_KEY', '${RANDOM}' );\n`,
      'src/App.java': `class A { void f() { System.setProperty("db.password", "${RANDOM}"); props.put("api.token", "${RANDOM}"); } }\n`,
      'config/boot.rb': `STRIPE = ENV.fetch("STRIPE_SECRET", "${RANDOM}")\n`,
    });
    expect(found(result)).toEqual([
      'app/settings.py:2 secret-assigned',
      'app/settings.py:3 secret-assigned',
      'app/settings.py:4 secret-assigned',
      'config/boot.rb:1 secret-assigned',
      'src/App.java:1 secret-assigned',
      'src/App.java:1 secret-assigned',
      'wp-config.php:2 secret-assigned',
      'wp-config.php:3 secret-assigned',
    ]);
    expect(result.findings.find((f) => f.file === 'wp-config.php')!.secret!.kind).toBe('value of DB_PASSWORD');
    expect(JSON.stringify(result)).not.toContain(RANDOM);
  });

  it('stays quiet for placeholders, ordinary words, expressions and names that are not the first argument', async () => {
    const result = await scanFiles({
      'app/settings.py': [
        'import os',
        'SECRET_KEY = os.environ.get("SECRET_KEY", "changeme")',
        'API_TOKEN = os.getenv("API_TOKEN", "")',
        'DB_PASSWORD = os.getenv("DB_PASSWORD", default_password)',
        'TOKEN = os.environ.get("TOKEN", "${TOKEN}")',
        'KEY = os.getenv("API_KEY", "<api-key>")',
        'label = _("password", "Enter your password")',
        'form.add("password", "password_confirmation")',
        'os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")',
      ].join('\n'),
      'wp-config.php': "<?php\ndefine('DB_PASSWORD', 'password_here');\ndefine('AUTH_KEY', 'put your unique phrase here');\n",
    });
    expect(found(result)).toEqual([]);
  });
});

describe("a default given by Python's getattr", () => {
  it('the third argument of getattr (or the value of setattr) for a secret-named attribute is a secret written down', async () => {
    const result = await scanFiles({
      'app/settings.py': [
        'from django.conf import settings',
        `SECRET_KEY = getattr(settings, "SECRET_KEY", "${RANDOM}")`,
        `API_TOKEN = getattr(django.conf.settings, 'API_TOKEN', '${RANDOM}')`,
        `DB_PASSWORD = getattr( self.config ,"db_password",  "${RANDOM}" )`,
        `setattr(settings, "STRIPE_SECRET", "${RANDOM}")`,
      ].join('\n'),
    });
    expect(found(result)).toEqual(['app/settings.py:2 secret-assigned', 'app/settings.py:3 secret-assigned', 'app/settings.py:4 secret-assigned', 'app/settings.py:5 secret-assigned']);
    const key = result.findings.find((f) => f.line === 2)!;
    expect(key.secret!.kind).toBe('value of SECRET_KEY');
    expect(key.column).toBe(47); // at the literal, past `getattr(settings, "SECRET_KEY", "`
    expect(JSON.stringify(result)).not.toContain(RANDOM);
  });

  it('stays quiet for placeholders, no default, computed defaults and a secret name that is not the attribute', async () => {
    const result = await scanFiles({
      'app/settings.py': [
        'SECRET_KEY = getattr(settings, "SECRET_KEY", "changeme")',
        'API_TOKEN = getattr(settings, "API_TOKEN", "")',
        'API_TOKEN = getattr(settings, "API_TOKEN", None)',
        'DB_PASSWORD = getattr(settings, "DB_PASSWORD")',
        'DB_PASSWORD = getattr(settings, "DB_PASSWORD", default_password)',
        'KEY = getattr(settings, "API_KEY", "<api-key>")',
        'TOKEN = getattr(settings, "TOKEN", "${TOKEN}")',
        'label = gettext_lazy(name, "password", "Enter your password")',
        'value = getattr(obj, field_name, "password_confirmation")',
      ].join('\n'),
    });
    expect(found(result)).toEqual([]);
  });
});

describe("a default given by Python's getattr on an object a call returns", () => {
  it('`getattr(get_settings(), "SECRET_KEY", "…")`: the object may be a call, arguments and all', async () => {
    const result = await scanFiles({
      'app/settings.py': [
        `SECRET_KEY = getattr(get_settings(), "SECRET_KEY", "${RANDOM}")`,
        `API_TOKEN = getattr(config.load("prod", strict=True), 'API_TOKEN', '${RANDOM}')`,
        `DB_PASSWORD = getattr(apps.get_app_config("db").options() , "db_password", "${RANDOM}")`,
      ].join('\n'),
    });
    expect(found(result)).toEqual(['app/settings.py:1 secret-assigned', 'app/settings.py:2 secret-assigned', 'app/settings.py:3 secret-assigned']);
    const key = result.findings.find((f) => f.line === 1)!;
    expect(key.secret!.kind).toBe('value of SECRET_KEY');
    expect(key.column).toBe(53); // at the literal, past `SECRET_KEY = getattr(get_settings(), "SECRET_KEY", "`
    expect(JSON.stringify(result)).not.toContain(RANDOM);
  });

  it('stays quiet for a call that is not getattr, a placeholder default and unbalanced brackets', async () => {
    const result = await scanFiles({
      'app/settings.py': [
        'SECRET_KEY = getattr(get_settings(), "SECRET_KEY", "changeme")',
        `label = translate(get_settings(), "password", "${RANDOM}")`,
        `value = getattr(obj), "password", "${RANDOM}")`,
      ].join('\n'),
    });
    expect(found(result)).toEqual([]);
  });
});

describe('a secret assigned by subscript', () => {
  it('an environment variable, a settings table or a config map given a literal under a secret name', async () => {
    const result = await scanFiles({
      'app/boot.py': `import os\nos.environ["AWS_SECRET_ACCESS_KEY"] = "${AWS_SECRET}"\nsettings["db_password"] = "${RANDOM}"\n`,
      'web/config.js': `config["password"] = "${RANDOM}";\n`,
      'config/initializers/stripe.rb': `ENV["STRIPE_SECRET"] ||= "${RANDOM}"\n`,
      'config.php': `<?php\n$config['api_key'] = '${RANDOM}';\n`,
    });
    expect(found(result)).toEqual([
      'app/boot.py:2 secret-aws-secret-access-key',
      'app/boot.py:3 secret-assigned',
      'config.php:2 secret-assigned',
      'config/initializers/stripe.rb:1 secret-assigned',
      'web/config.js:1 secret-assigned',
    ]);
    expect(JSON.stringify(result)).not.toContain(RANDOM);
    expect(JSON.stringify(result)).not.toContain(AWS_SECRET);
  });

  it('stays quiet for reads, placeholders and references', async () => {
    const result = await scanFiles({
      'app/boot.py': [
        'token = os.environ["API_TOKEN"]',
        'settings["db_password"] = "changeme"',
        'settings["db_password"] = os.environ["DB_PASSWORD"]',
        'os.environ["API_KEY"] = "${API_KEY}"',
        'config["token"] = "<token>"',
      ].join('\n'),
    });
    expect(found(result)).toEqual([]);
  });
});

describe('inside notebook cells (JSON strings with escaped quotes)', () => {
  it('an argument pair and a subscript assignment in a cell are found, a placeholder is not', async () => {
    const cell = [`import os\n`, `key = os.environ.get("SECRET_KEY", "${RANDOM}")\n`, `settings["db_password"] = "${RANDOM}"\n`, `os.environ["API_TOKEN"] = "changeme"\n`];
    const result = await scanFiles({ 'notebooks/explore.ipynb': JSON.stringify({ cells: [{ cell_type: 'code', source: cell }] }, null, 1) });
    expect(found(result)).toEqual(['notebooks/explore.ipynb:7 secret-assigned', 'notebooks/explore.ipynb:8 secret-assigned']);
    expect(JSON.stringify(result)).not.toContain(RANDOM);
  });
});
