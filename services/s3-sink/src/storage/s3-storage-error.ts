/**
 * An S3 call that failed after the SDK's bounded retries. The message names
 * the operation, the object, the endpoint and the attempts, so an operator can
 * tell a wrong endpoint from a missing bucket from a permission problem
 * without reading a stack trace.
 */
export class S3StorageError extends Error {
  constructor(
    readonly operation: string,
    readonly bucket: string,
    readonly key: string | undefined,
    readonly endpoint: string,
    /** S3 error code or Node error code: NoSuchBucket, AccessDenied, ECONNREFUSED, TimeoutError... */
    readonly code: string,
    readonly httpStatus: number | undefined,
    readonly attempts: number,
    /** True when waiting and trying again may help (network, throttling, 5xx), false for 4xx. */
    readonly transient: boolean,
    options: { cause: unknown },
  ) {
    const target = key === undefined ? `s3://${bucket}` : `s3://${bucket}/${key}`;
    const status = httpStatus === undefined ? '' : ` (HTTP ${httpStatus})`;
    const reason = options.cause instanceof Error && options.cause.message && options.cause.message !== code ? `: ${options.cause.message}` : '';
    super(`S3 ${operation} ${target} at ${endpoint} failed after ${attempts} attempt(s): ${code}${status}${reason}`, options);
    this.name = 'S3StorageError';
  }

  static from(operation: string, bucket: string, key: string | undefined, endpoint: string, err: unknown): S3StorageError {
    const e = (err ?? {}) as { name?: string; code?: string; Code?: string; $metadata?: { httpStatusCode?: number; attempts?: number } };
    const status = e.$metadata?.httpStatusCode;
    const code = e.code ?? e.Code ?? e.name ?? 'Error';
    const transient = status === undefined || status >= 500 || status === 429 || status === 408 || /Throttl|SlowDown|Timeout/i.test(code);
    return new S3StorageError(operation, bucket, key, endpoint, code, status, e.$metadata?.attempts ?? 1, transient, { cause: err });
  }
}
