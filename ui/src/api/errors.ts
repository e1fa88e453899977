import type { ApiError } from './generated';

/**
 * Every failure the UI shows: a stable code, a message naming what was wrong, and a hint.
 * Backend errors arrive in this shape already; transport and engine failures are put into it.
 */
export class ApiFailure extends Error {
  readonly code: string;
  readonly hint: string | null;
  /** The API method that failed, when the failure came from a call. */
  readonly method: string | null;
  /** The input field a `bad_input` failure is about, as the backend named it. */
  readonly field: string | null;

  constructor(code: string, message: string, hint: string | null = null, method: string | null = null, field: string | null = null) {
    super(message);
    this.name = 'ApiFailure';
    this.code = code;
    this.hint = hint;
    this.method = method;
    this.field = field;
  }

  toApiError(): ApiError {
    return { code: this.code, message: this.message, hint: this.hint, field: this.field };
  }

  override toString(): string {
    const where = this.method ? `${this.method}: ` : '';
    return `${where}[${this.code}] ${this.message}${this.hint ? ` (hint: ${this.hint})` : ''}`;
  }
}

/** Whether a value has the `{code, message, hint}` shape of the backend's errors. */
export function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.code === 'string' &&
    typeof v.message === 'string' &&
    (v.hint === undefined || v.hint === null || typeof v.hint === 'string')
  );
}

/** An `ApiFailure` from an `ApiError` object, keeping its code, message and hint. */
export function failureFromApiError(error: ApiError, method: string | null = null): ApiFailure {
  return new ApiFailure(error.code, error.message, error.hint ?? null, method, error.field ?? null);
}

/** What to show for any thrown value: code (when known), message and hint. */
export function describeError(error: unknown): { code: string | null; message: string; hint: string | null; field?: string | null } {
  if (error instanceof ApiFailure) return { code: error.code, message: error.message, hint: error.hint, field: error.field };
  if (isApiError(error)) return { code: error.code, message: error.message, hint: error.hint ?? null, field: error.field ?? null };
  if (isErrorLike(error)) {
    // DOMExceptions (getUserMedia, RTCPeerConnection) carry their meaning in the name.
    const named = error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
    return { code: null, message: named || error.name || 'unknown error', hint: null };
  }
  if (typeof error === 'string') return { code: null, message: error, hint: null };
  return { code: null, message: safeJson(error), hint: null };
}

/** JSON for logs and raw payloads that never throws (cycles, BigInt) and stays short. */
export function safeJson(value: unknown, max = 2000): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** An Error or a DOMException (which is not an `Error` in every engine). */
export function isErrorLike(value: unknown): value is { name: string; message: string; stack?: string } {
  if (value instanceof Error) return true;
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.name === 'string' && typeof v.message === 'string';
}

/** "NotAllowedError: Permission denied" for errors, the text itself for anything else. */
export function errorText(value: unknown): string {
  if (isErrorLike(value)) return value.message ? `${value.name}: ${value.message}` : value.name;
  return typeof value === 'string' ? value : safeJson(value);
}
