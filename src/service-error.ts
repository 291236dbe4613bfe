/**
 * The error every client of an outside service throws (http.ts makes them), apart from http.ts so
 * that code which only tells such failures apart (the advisory source's fallback to the mirror)
 * does not load the HTTP clients and Node's http, https and zlib with it: an offline audit never
 * sends a request.
 */

export type ServiceName = 'OSV' | 'PyPI' | 'GitHub' | 'Slack';

/** A failure talking to an outside service, described for a person (no URL credentials, no stack). */
export class ServiceError extends Error {
  override name = 'ServiceError';
  readonly service: ServiceName;
  /** HTTP status of the last answer, when there was one. */
  readonly status: number | undefined;
  override readonly cause: unknown;

  constructor(service: ServiceName, message: string, options: { cause?: unknown; status?: number } = {}) {
    super(message.startsWith(service) ? message : `${service}: ${message}`);
    this.service = service;
    this.cause = options.cause;
    this.status = options.status;
  }
}
