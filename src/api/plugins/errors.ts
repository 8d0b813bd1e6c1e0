import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HeraldError, type ErrorCode } from '../../errors.js';

/** Fastify's own error codes, mapped onto Herald's public ones. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_BAD_URL: 'bad_request',
  // Path segments are ids of at most 64 characters: a longer one names nothing.
  FST_ERR_MAX_PARAM_LENGTH: 'not_found',
};

/**
 * The one place errors become responses. Herald's own errors and Fastify's request errors
 * answer their code; anything else is logged with the request id and answers a bare 500.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const herald = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? tooLarge(request.routeOptions.bodyLimit) : toHeraldError(error);
    if (!herald) {
      request.log.error({ err: error }, 'request failed');
      return reply.status(500).send({ error: { code: 'internal', message: 'Internal error', details: [] } });
    }
    return reply
      .status(herald.status)
      .headers(herald.headers)
      .send({ error: { code: herald.code, message: herald.message, details: herald.details } });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}`, details: [] } }),
  );
}

/** The router's own errors (a malformed or over-long path) skip the error handler: Fastify hands them here. */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const herald = toHeraldError(error) ?? new HeraldError('bad_request', error.message);
  void reply.status(herald.status).send({ error: { code: herald.code, message: herald.message, details: herald.details } });
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (headers or URL over 16 KB,
 * bytes not allowed in a request line, a request too slow to arrive) still get Herald's
 * JSON error shape, then the connection is closed as Node does.
 */
export function clientErrors(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const herald =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new HeraldError('headers_too_large', 'Request headers and URL may be at most 16 KB')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new HeraldError('request_timeout', 'The request took too long to arrive')
        : new HeraldError('bad_request', 'Malformed HTTP request');
  const body = JSON.stringify({ error: { code: herald.code, message: herald.message, details: [] } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${herald.status} ${STATUS_CODES[herald.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** Says the limit, so a client can split its batch rather than guess. */
function tooLarge(limitBytes: number): HeraldError {
  return new HeraldError('payload_too_large', `Request body is too large: at most ${limitBytes.toLocaleString('en-US')} bytes`);
}

function toHeraldError(error: FastifyError): HeraldError | null {
  if (error instanceof HeraldError) return error;
  if (error.validation) {
    const details = error.validation.map((issue) => ({
      path: issuePath(error.validationContext, issue),
      message: issue.message ?? 'is invalid',
      ...(issue.params && 'additionalProperty' in issue.params ? { property: issue.params.additionalProperty } : {}),
    }));
    const first = details[0];
    const message = first ? `${first.path || error.validationContext}: ${first.message}` : 'Request is invalid';
    return new HeraldError('validation_failed', message, details);
  }
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new HeraldError('invalid_json', `Body is not valid JSON: ${error.message}`);
  }
  const code = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (code) return new HeraldError(code, error.message);
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return new HeraldError('bad_request', error.message);
  return null;
}

/**
 * Where a request-schema problem is. In a body it is a JSON Pointer into the body, as the
 * checks routes make themselves write it (`/events/3/type`), naming a missing property
 * itself rather than its parent; elsewhere it is prefixed with the part (`querystring/limit`).
 */
function issuePath(context: string | undefined, issue: NonNullable<FastifyError['validation']>[number]): string {
  const missing = issue.params && 'missingProperty' in issue.params ? `/${String(issue.params.missingProperty)}` : '';
  const pointer = `${issue.instancePath || ''}${missing}`;
  return context === 'body' ? pointer || '/' : `${context ?? ''}${pointer}`;
}
