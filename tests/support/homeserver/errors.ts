/** A Matrix error in the spec's shape: `{ errcode, error, ...extra }` with its HTTP status. */
export class MatrixError extends Error {
  readonly status: number;
  readonly errcode: string;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(status: number, errcode: string, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.errcode = errcode;
    this.extra = extra;
    this.headers = headers;
  }

  toJSON(): Record<string, unknown> {
    return { errcode: this.errcode, error: this.message, ...this.extra };
  }
}

export const forbidden = (message: string) => new MatrixError(403, 'M_FORBIDDEN', message);
export const notFound = (message: string) => new MatrixError(404, 'M_NOT_FOUND', message);
export const badJson = (message: string) => new MatrixError(400, 'M_BAD_JSON', message);
export const missingParam = (name: string) => new MatrixError(400, 'M_MISSING_PARAM', `Missing parameter: ${name}`);
