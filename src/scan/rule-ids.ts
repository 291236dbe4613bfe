/**
 * Every scan rule id, by kind, as plain data: ignores are routed with it (an entry naming a scan
 * rule is applied by the scanner, not to dependency findings) without loading the rules.
 * test/scan/rules-registry.test.ts checks it against the rules themselves.
 */
import type { CodeFindingKind } from './types.js';

export const SCAN_RULE_IDS: Record<CodeFindingKind, readonly string[]> = {
  code: [
    'py-dynamic-import',
    'py-import-from-path',
    'py-sys-path-modification',
    'py-eval-exec',
    'py-logging-config-listen',
    'py-unsafe-deserialization',
    'py-torch-load',
    'py-yaml-load',
    'py-subprocess-shell',
    'py-os-system',
    'py-sql-injection',
    'py-xml-parser',
    'py-http-no-timeout',
    'py-tls-verify-disabled',
    'py-weak-hash',
    'py-weak-cipher',
    'py-weak-key-size',
    'py-jinja2-autoescape',
    'py-mako-autoescape',
    'py-flask-debug',
    'py-django-debug',
    'py-django-mark-safe',
    'py-exception-leak',
    'py-try-except-pass',
    'py-try-except-continue',
    'py-mktemp',
    'py-hardcoded-tmp-path',
    'py-assert-access-control',
    'py-tarfile-extract',
    'py-ssl-no-verify',
    'py-insecure-tls-version',
    'py-chmod-world-writable',
    'py-bind-all-interfaces',
    'py-paramiko-host-key',
    'py-paramiko-exec-command',
  ],
  secret: [
    'secret-aws-access-key-id',
    'secret-aws-secret-access-key',
    'secret-github-token',
    'secret-gitlab-token',
    'secret-slack-token',
    'secret-slack-webhook',
    'secret-stripe-key',
    'secret-google-api-key',
    'secret-google-oauth-client-secret',
    'secret-openai-key',
    'secret-pypi-token',
    'secret-anthropic-key',
    'secret-npm-token',
    'secret-sendgrid-key',
    'secret-azure-key',
    'secret-huggingface-token',
    'secret-shopify-token',
    'secret-digitalocean-token',
    'secret-databricks-token',
    'secret-postman-key',
    'secret-linear-key',
    'secret-jwt',
    'secret-private-key',
    'secret-url-password',
    'secret-curl-auth-header',
    'secret-curl-auth-user',
    'secret-pgpass-password',
    'secret-assigned',
  ],
  file: ['file-env-committed', 'file-secret-config-committed', 'file-gitignore-env', 'file-gitignore-secret-config'],
  runtime: [
    'docker-root-user',
    'docker-unpinned-base-image',
    'docker-latest-tag',
    'docker-add-remote-url',
    'docker-secret-in-build',
    'docker-pipe-to-shell',
    'container-no-resource-limits',
    'container-writable-root-fs',
    'container-privileged',
    'container-run-as-root',
    'container-docker-socket',
    'container-host-network',
  ],
};

const ALL = new Set<string>([...Object.keys(SCAN_RULE_IDS), ...Object.values(SCAN_RULE_IDS).flat()]);

/** Whether an ignore entry's id names a scan rule or a whole scan kind (`secret`). */
export function isScanIgnoreId(id: string): boolean {
  return ALL.has(id);
}
