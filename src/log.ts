/**
 * Structured logs (pino) to stderr. Secrets never reach them: known secret fields are redacted by
 * path, and anything that looks like a token, or quotes a URL with credentials, is masked wherever
 * it appears in the finished log line.
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
          // An error is logged as its type and message: the stack holds nothing a reader needs.
          const out: Record<string, unknown> = { ...object };
          for (const [k, v] of Object.entries(out)) if (v instanceof Error) out[k] = { type: v.name, message: v.message };
          return out;
        },
      },
      hooks: {
        // Error messages and free text can carry tokens (a URL with credentials, an echoed header, a
        // manifest line quoted in a problem) anywhere: in the message, nested fields, a child's
        // bindings. So the finished JSON line is redacted as a whole. It stays valid JSON: a URL ends
        // at a quote or backslash, and what replaces a secret holds neither.
        streamWrite: (line) => redactSecrets(line),
      },
    },
    destination,
  );
}
