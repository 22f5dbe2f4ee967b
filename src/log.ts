// Structured JSON logs (pino). Secrets never reach a log line: known secret fields are redacted by
// path, and anything that looks like a JWT or a bearer token is masked wherever it appears in a message.
import { format } from 'node:util';
import { pino, type Logger } from 'pino';

export type { Logger };

const SECRET_FIELDS = [
  'sharedSecret',
  'refreshToken',
  'refresh_token',
  'accessToken',
  'access_token',
  'id_token',
  'password',
  'clientSecret',
  'client_secret',
  'encryptionKey',
  'authorization',
  'jwt',
];

const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  ...SECRET_FIELDS.map((f) => `*.*.${f}`),
  'req.headers.authorization',
  'req.headers.cookie',
];

// A JWT is three base64url parts; Google tokens start ya29. / 1// ; all are masked in free text.
const TOKEN_PATTERNS = [
  /eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g,
  /\bya29\.[\w.-]+/g,
  /\b1\/\/[\w.-]{10,}/g,
  /((?:jwt|token|secret|sharedSecret|password)["']?\s*[:=]\s*["']?)[^\s"'&,}]+/gi,
];

/** Masks tokens and secrets inside a free-text string. */
export function scrub(text: string): string {
  let out = text;
  for (const p of TOKEN_PATTERNS) {
    out = out.replace(p, (match: string, prefix?: string) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}[redacted]` : '[redacted]',
    );
  }
  return out;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'mailbridge' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          // Scrub every string argument: messages are often built from third-party error texts.
          const cleaned = args.map((a: unknown) => (typeof a === 'string' ? scrub(a) : a)) as typeof args;
          method.apply(this, cleaned);
        },
      },
    },
    destination,
  );
}

/**
 * The logger shape ACE expects (console-like: info/warn/error with printf-style arguments), over
 * pino. ACE sometimes passes a context object first; it is merged as fields.
 */
export function aceLogger(log: Logger) {
  const child = log.child({ component: 'ace' });
  const emit = (level: 'debug' | 'info' | 'warn' | 'error') => (...args: unknown[]) => {
    const first = args[0];
    if (first && typeof first === 'object' && !(first instanceof Error) && args.length > 1) {
      child[level]({ ace: first }, scrub(format(...args.slice(1))));
    } else {
      child[level](scrub(format(...args)));
    }
  };
  return { debug: emit('debug'), info: emit('info'), log: emit('info'), warn: emit('warn'), error: emit('error') };
}
