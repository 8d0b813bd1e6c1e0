/** Every failure is a WebhookVerificationError; the subclass says what failed. */
export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class MissingHeaderError extends WebhookVerificationError {
  constructor(readonly header: string) {
    super(`missing header: ${header}`);
  }
}

export class TimestampError extends WebhookVerificationError {
  constructor(readonly reason: 'invalid' | 'too_old' | 'too_new', readonly timestamp: number | null) {
    super(reason === 'invalid' ? 'invalid timestamp' : reason === 'too_old' ? 'timestamp too old' : 'timestamp too far in the future');
  }
}

export class SignatureMismatchError extends WebhookVerificationError {
  constructor() {
    super('no signature matches');
  }
}
