/**
 * A failure with the gRPC status code the CSI spec prescribes for it. RPC handlers throw these;
 * the server turns them into gRPC errors (anything else becomes INTERNAL).
 */
import { status } from '@grpc/grpc-js';

export class CsiError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'CsiError';
  }
}

export const invalidArgument = (message: string) => new CsiError(status.INVALID_ARGUMENT, message);
export const notFound = (message: string) => new CsiError(status.NOT_FOUND, message);
export const alreadyExists = (message: string) => new CsiError(status.ALREADY_EXISTS, message);
export const failedPrecondition = (message: string) => new CsiError(status.FAILED_PRECONDITION, message);
export const aborted = (message: string) => new CsiError(status.ABORTED, message);
export const unimplemented = (message: string) => new CsiError(status.UNIMPLEMENTED, message);
export const deadlineExceeded = (message: string) => new CsiError(status.DEADLINE_EXCEEDED, message);
export const internal = (message: string) => new CsiError(status.INTERNAL, message);
export const unavailable = (message: string) => new CsiError(status.UNAVAILABLE, message);

/** Keeps a CsiError as is; wraps anything else as INTERNAL with its message. */
export function asCsiError(err: unknown): CsiError {
  if (err instanceof CsiError) return err;
  return internal(err instanceof Error ? err.message : String(err));
}
