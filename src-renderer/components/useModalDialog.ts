/**
 * A <dialog> shown modal while its component is mounted: React decides when it is open, and
 * unmounting closes it (focus goes back where the browser had it).
 */
import { useEffect, useRef, type RefObject } from 'react';

export function useModalDialog(): RefObject<HTMLDialogElement | null> {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d !== null && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return dialog;
}
