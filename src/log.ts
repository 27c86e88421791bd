/** Root logger. Redaction is a backstop: code never puts secrets in log fields. */
import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { svc: 'sandboxd' },
    redact: {
      paths: ['req.headers.authorization', 'env', '*.env', 'body.env', 'secret', '*.secret', 'token', '*.token'],
      censor: '[redacted]',
    },
  });
}
