import type { Attempt } from '../domain/delivery.js';
import { toEnvelope } from '../domain/event.js';
import { parseRetryAfter, retryDelayMs } from '../domain/retry.js';
import { redactHeaders } from '../domain/sensitive-header.js';
import { openSensitiveHeaders, signatureHeaders, type SecretBox } from '../signing/index.js';
import type { AttemptRecord, AttemptVerdict, DeliveryJob } from '../store/store.js';
import type { OutgoingWebhook, SendResult } from './http-sender.js';

/** Builds the exact request a delivery job sends: envelope body, custom, signature headers. */
/** `traceparent`, when tracing is on, lets the receiver continue the attempt's trace. */
export function buildRequest(job: DeliveryJob, secretBox: SecretBox, now: Date, traceparent: string | null = null): OutgoingWebhook {
  const { endpoint, event, settings, secrets } = job;
  const body = JSON.stringify(toEnvelope(event, settings.envelope));
  const liveSecrets = [secrets.secret];
  if (secrets.previousSecret && secrets.previousSecretExpiresAt && secrets.previousSecretExpiresAt > now) {
    liveSecrets.push(secrets.previousSecret);
  }
  const signed = signatureHeaders({
    settings: endpoint.signature ?? settings.signature,
    secrets: liveSecrets.filter((s): s is string => s !== null).map((sealed) => secretBox.open(sealed)),
    verifyToken: secrets.verifyToken ? secretBox.open(secrets.verifyToken) : null,
    eventId: event.id,
    eventType: event.type,
    timestampSeconds: Math.floor(now.getTime() / 1000),
    body,
  });
  return {
    url: endpoint.url,
    headers: {
      ...openSensitiveHeaders(endpoint.headers, secretBox),
      'content-type': 'application/json',
      'user-agent': settings.userAgent,
      ...(traceparent ? { traceparent } : {}),
      ...signed,
    },
    body,
    timeoutMs: settings.attemptTimeoutMs,
  };
}

/** Turns what happened on the wire into what the store keeps: the attempt and its verdict. */
export function judgeAttempt(
  job: DeliveryJob,
  request: OutgoingWebhook,
  result: SendResult,
  startedAt: Date,
  random: () => number,
): AttemptRecord {
  const number = job.delivery.attemptCount + 1;
  const attempt: Attempt = {
    number,
    startedAt,
    durationMs: result.durationMs,
    statusCode: result.statusCode,
    responseBody: result.responseBody,
    error: result.error ?? httpError(result.statusCode),
    // Logged as sent, except credentials (custom and signature headers): those never leave the request.
    requestHeaders: redactHeaders(request.headers),
  };
  const succeeded = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
  const now = new Date(startedAt.getTime() + result.durationMs);
  return {
    deliveryId: job.delivery.id,
    attempt,
    verdict: succeeded ? { kind: 'succeeded' } : failureVerdict(job, number, result, now, random),
    endpointHealth: job.delivery.isTest ? 'ignore' : succeeded ? 'success' : result.statusCode === 410 ? 'gone' : 'failure',
    autoDisableAfterFailures: job.settings.autoDisableAfterFailures,
    now,
  };
}

function failureVerdict(job: DeliveryJob, number: number, result: SendResult, now: Date, random: () => number): AttemptVerdict {
  if (job.delivery.isTest || number >= job.delivery.maxAttempts) return { kind: 'dead' };
  const honoursRetryAfter = result.statusCode === 429 || result.statusCode === 503;
  const retryAfterMs = honoursRetryAfter ? parseRetryAfter(result.retryAfter, now.getTime()) : null;
  const delay = retryDelayMs(job.settings.retrySchedule, job.attemptsInRun + 1, random, retryAfterMs);
  return delay === null ? { kind: 'dead' } : { kind: 'retry', at: new Date(now.getTime() + delay) };
}

function httpError(statusCode: number | null): string | null {
  if (statusCode === null || (statusCode >= 200 && statusCode < 300)) return null;
  return `HTTP ${statusCode}`;
}
