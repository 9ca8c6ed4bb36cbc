/**
 * Where focus goes back to after a triage dialog or menu: the inbox list when it is on screen (the
 * item it pointed at may be gone), else the reading pane in a narrow window.
 */
export function focusList(): void {
  const list = document.querySelector<HTMLElement>('[role="listbox"][aria-label="Inbox"]');
  if (list !== null && list.offsetParent !== null) {
    list.focus();
    return;
  }
  document.querySelector<HTMLElement>('section.reading')?.focus();
}
