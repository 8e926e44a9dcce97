import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';

interface Props {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** Asks for a reason (required) when set: its label. */
  reasonLabel?: string;
  onConfirm: (reason: string) => void | Promise<void>;
  onCancel: () => void;
}

/**
 * A modal confirmation on the browser's own `<dialog>`: focus moves into it and stays there, Escape
 * cancels, and focus returns to what opened it when it closes.
 */
export function ConfirmDialog({ title, children, confirmLabel, reasonLabel, onConfirm, onCancel }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  // A layout effect: the dialog closes while still in the page, and focus goes back to what opened it.
  useLayoutEffect(() => {
    const d = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (d !== null && !d.open) d.showModal();
    return () => {
      d?.close();
      opener?.focus();
    };
  }, []);
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onCancel={onCancel} className="confirm">
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void onConfirm(reason);
        }}
      >
        <h2 id="confirm-title">{title}</h2>
        {children}
        {reasonLabel !== undefined && (
          <label>
            {reasonLabel}
            <textarea required maxLength={1024} value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
        )}
        <div className="actions">
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="danger">
            {confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
