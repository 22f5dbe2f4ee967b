// Errors a user sees carry a stable code and a sentence they can act on; the HTTP layer turns them
// into `{ error: { code, message } }` with the status given here.
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} was not found.`, 404);
