/**
 * The one error the SDK throws for anything the API refused or could not be
 * reached for. `status` is the HTTP status (0: no answer: the daemon is down,
 * the connection dropped, or the request was aborted), `message` the API's own
 * `{"error"}` text, `requestId` the answer's `x-request-id` (the daemon's log
 * lines for the request carry it as reqId).
 */
export class SandboxedError extends Error {
  override readonly name = 'SandboxedError';
  /** The HTTP status; 0 when no answer came. */
  readonly status: number;
  /** The answer's `x-request-id`, when an answer came. */
  readonly requestId: string | undefined;
  /** Seconds to wait before trying again, from a 503's `Retry-After`. */
  readonly retryAfterS: number | undefined;

  constructor(status: number, message: string, opts: { requestId?: string; retryAfterS?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.status = status;
    this.requestId = opts.requestId;
    this.retryAfterS = opts.retryAfterS;
  }

  /** The error of a non-2xx answer: the `{"error"}` body's message, or the status text. */
  static async fromResponse(res: Response): Promise<SandboxedError> {
    const text = await res.text().catch(() => '');
    let message = text.trim() || `${res.status} ${res.statusText}`.trim();
    try {
      const body = JSON.parse(text) as unknown;
      if (body !== null && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string') {
        message = (body as { error: string }).error;
      }
    } catch {
      /* not JSON: keep the text */
    }
    const retry = Number(res.headers.get('retry-after'));
    return new SandboxedError(res.status, message, {
      requestId: res.headers.get('x-request-id') ?? undefined,
      retryAfterS: Number.isFinite(retry) && retry > 0 ? retry : undefined,
    });
  }

  /** An error for a request that got no answer (or lost it midway). */
  static noAnswer(what: string, cause: unknown): SandboxedError {
    if (cause instanceof SandboxedError) return cause;
    const reason = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
    return new SandboxedError(0, `${what}: ${reason}`, { cause });
  }
}
