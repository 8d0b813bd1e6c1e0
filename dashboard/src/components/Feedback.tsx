import { useErrorText } from '../i18n/errors.js';

/** An error as the user reads it: the server's code in the interface's language (see i18n/errors.ts). */
export function ErrorLine({ error, className = 'error' }: { error: unknown; className?: string }) {
  const describe = useErrorText();
  if (!error) return null;
  return (
    <p role="alert" className={className}>
      {describe(error)}
    </p>
  );
}

export function Notice({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <p role="status" className="notice">
      {text}
    </p>
  );
}
