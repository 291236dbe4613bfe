/**
 * Structured logs (pino) to stderr. Secrets never reach them: known secret fields are redacted by
 * path, and any string that looks like a Slack or GitHub token is masked wherever it appears.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

import { redactSecrets } from './redact.js';

export { redactSecrets };

const REDACT_PATHS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'privateKey',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.privateKey',
  '*.authorization',
];

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination: pino.DestinationStream = pino.destination(2)): Logger {
  return pino(
    {
      level,
      base: { app: 'depwatch' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: {
        log(object) {
          // Error messages and free text can carry tokens (a URL with credentials, an echoed header).
          for (const [k, v] of Object.entries(object)) {
            if (typeof v === 'string') object[k] = redactSecrets(v);
            else if (v instanceof Error) object[k] = { type: v.name, message: redactSecrets(v.message) };
          }
          return object;
        },
      },
      hooks: {
        logMethod(args, method) {
          const redacted = args.map((a) => (typeof a === 'string' ? redactSecrets(a) : a)) as Parameters<typeof method>;
          method.apply(this, redacted);
        },
      },
    },
    destination,
  );
}
