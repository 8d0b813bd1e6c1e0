import type { ReactNode } from 'react';
import { Dialog } from './Dialog.js';
import { ErrorLine } from './Feedback.js';
import { FormActions } from './FormActions.js';
import { useAction } from './use-action.js';

/**
 * Asks before an action that cannot be taken back on one click (disable, rotate). The action
 * runs from here, so its error shows beside the question rather than somewhere behind it.
 */
export function ConfirmDialog(props: { title: string; confirm: string; children: ReactNode; onConfirm: () => Promise<void>; onClose: () => void; danger?: boolean }) {
  const action = useAction(props.onConfirm);
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void action.run();
        }}
      >
        {props.children}
        <ErrorLine error={action.error} />
        <FormActions label={props.confirm} busy={action.busy} onCancel={props.onClose} danger={props.danger} />
      </form>
    </Dialog>
  );
}
