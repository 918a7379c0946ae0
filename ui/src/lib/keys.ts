// The desk's keyboard: which keys reach a view's single-key actions, and which layer Esc closes.

/** What these rules read of a key event (a `KeyboardEvent` has it all). */
export type Keyed = Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey' | 'repeat' | 'target'>;
type Layers = Pick<Document, 'querySelector'>;

/** The key was typed into a field (search, reason, a select): it is text, not a command. */
export function inField(e: Pick<KeyboardEvent, 'target'>): boolean {
  const t = e.target as { tagName?: string; isContentEditable?: boolean } | null;
  if (!t || typeof t !== 'object') return false;
  return t.isContentEditable === true || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName ?? '');
}

/** A modal layer (a dialog) is open above the views: Esc and the views' keys are its. */
export function layerOpen(doc: Layers = document): boolean {
  return doc.querySelector('dialog[open]') !== null;
}

/** A bare key (Shift allowed, for `?` and Shift+Delete) outside fields and dialogs: a view's
 *  single-key action may take it. */
export function singleKey(e: Keyed, doc: Layers = document): boolean {
  return !e.ctrlKey && !e.metaKey && !e.altKey && !e.repeat && !inField(e) && !layerOpen(doc);
}
