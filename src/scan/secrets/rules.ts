/** The secret rules as rules (ids, severities, help for SARIF); the matching is in scan-secrets.ts. */
import type { RuleInfo } from '../rule.js';

const ROTATE = 'Anyone who can read the repository, a fork or its history can use a credential written in it, and deleting the line does not remove it from history. Revoke or rotate it first, then load it from the environment or a secret store; keep only placeholders in examples.';

const secret = (id: string, title: string, severity: RuleInfo['severity'], confidence: RuleInfo['confidence'] = 'high', bandit?: string[]): RuleInfo => ({
  id,
  kind: 'secret',
  severity,
  confidence,
  title,
  help: ROTATE,
  ...(bandit ? { bandit } : {}),
});

export const SECRET_RULES: readonly RuleInfo[] = [
  secret('secret-aws-access-key-id', 'AWS access key id', 'critical'),
  secret('secret-aws-secret-access-key', 'AWS secret access key', 'critical'),
  secret('secret-github-token', 'GitHub token', 'critical'),
  secret('secret-gitlab-token', 'GitLab token', 'critical'),
  secret('secret-slack-token', 'Slack token', 'critical'),
  secret('secret-slack-webhook', 'Slack webhook URL', 'high'),
  secret('secret-stripe-key', 'Stripe secret key', 'critical'),
  secret('secret-google-api-key', 'Google API key', 'high'),
  secret('secret-google-oauth-client-secret', 'Google OAuth client secret', 'high'),
  secret('secret-openai-key', 'OpenAI API key', 'critical'),
  secret('secret-pypi-token', 'PyPI API token', 'critical'),
  secret('secret-anthropic-key', 'Anthropic API key', 'critical'),
  secret('secret-npm-token', 'npm access token', 'critical'),
  secret('secret-sendgrid-key', 'SendGrid API key', 'high'),
  secret('secret-azure-key', 'Azure storage account or shared access key', 'critical'),
  secret('secret-huggingface-token', 'Hugging Face access token', 'high'),
  secret('secret-shopify-token', 'Shopify access token', 'critical'),
  secret('secret-digitalocean-token', 'DigitalOcean token', 'critical'),
  secret('secret-databricks-token', 'Databricks personal access token', 'critical'),
  secret('secret-postman-key', 'Postman API key', 'high'),
  secret('secret-linear-key', 'Linear API key', 'high'),
  secret('secret-sentry-token', 'Sentry auth token', 'high'),
  secret('secret-mailgun-key', 'Mailgun API key', 'high'),
  secret('secret-docker-hub-token', 'Docker Hub access token', 'critical'),
  secret('secret-grafana-token', 'Grafana service account or Cloud access policy token', 'high'),
  secret('secret-vault-token', 'HashiCorp Vault token', 'critical'),
  secret('secret-terraform-cloud-token', 'Terraform Cloud API token', 'critical'),
  secret('secret-newrelic-key', 'New Relic user API key', 'high'),
  secret('secret-atlassian-token', 'Atlassian API token', 'critical'),
  secret('secret-twilio-key', 'Twilio API key SID', 'high'),
  secret('secret-doppler-token', 'Doppler token', 'critical'),
  secret('secret-pulumi-token', 'Pulumi access token', 'critical'),
  secret('secret-figma-token', 'Figma personal access token', 'high'),
  secret('secret-flyio-token', 'Fly.io access token', 'critical'),
  secret('secret-square-token', 'Square access token or application secret', 'critical'),
  secret('secret-alibaba-access-key-id', 'Alibaba Cloud AccessKey id', 'critical'),
  secret('secret-heroku-key', 'Heroku API key', 'critical'),
  secret('secret-jwt', 'JSON Web Token', 'medium'),
  secret('secret-private-key', 'Private key', 'critical'),
  secret('secret-url-password', 'Password in a URL', 'high'),
  secret('secret-curl-auth-header', 'Credential in a curl authorization header', 'high'),
  secret('secret-curl-auth-user', 'Password in a curl -u option', 'high'),
  secret('secret-pgpass-password', 'Password in a PostgreSQL password file (.pgpass)', 'high'),
  secret('secret-assigned', 'Hard-coded credential', 'high', 'medium', ['B105', 'B106', 'B107']),
];

export const SECRET_RULES_BY_ID = new Map(SECRET_RULES.map((r) => [r.id, r]));
