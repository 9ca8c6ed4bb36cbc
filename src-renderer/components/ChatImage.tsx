/**
 * A chat image: its thumbnail in the timeline, sized from the sender's width and height before it
 * loads so the timeline does not jump; a click shows the full image over the app. Both come from the
 * hub as data: URLs, never from the homeserver directly.
 */
import { useEffect, useState } from 'react';
import type { ChatMessage } from '../../src-shared/api.ts';
import { downloadName, imageBox } from '../format/chat.ts';
import { showToast } from '../state/actions.ts';
import { loadChatMedia } from '../state/chatActions.ts';
import { useHub } from '../state/hooks.ts';
import { useModalDialog } from './useModalDialog.ts';

type ChatImageInfo = NonNullable<ChatMessage['image']>;
const THUMBNAIL_MAX = 320;

export function ChatImage({ itemId, image }: { itemId: string; image: ChatImageInfo }) {
  const hub = useHub();
  const [thumb, setThumb] = useState<{ url: string } | { error: string } | null>(null);
  const [full, setFull] = useState<string | null>(null);
  const [opening, setOpening] = useState(false);
  const thumbMxc = image.thumbnailMxc ?? image.mxc;

  useEffect(() => {
    let live = true;
    void loadChatMedia(hub, itemId, thumbMxc, true).then((r) => {
      if (live) setThumb(r.ok ? { url: r.value } : { error: r.error.message });
    });
    return () => {
      live = false;
    };
  }, [hub, itemId, thumbMxc]);

  const open = async (): Promise<void> => {
    if (opening) return;
    setOpening(true);
    const r = await loadChatMedia(hub, itemId, image.mxc, false);
    setOpening(false);
    if (r.ok) setFull(r.value);
    else showToast(hub, 'error', `Could not open ${image.name}: ${r.error.message}`);
  };

  const box = imageBox(image.width, image.height, THUMBNAIL_MAX);
  return (
    <>
      <button
        type="button"
        className="chat-image"
        style={box === undefined ? undefined : { width: box.width, height: box.height }}
        aria-label={`Open image ${image.name}`}
        aria-busy={opening ? 'true' : undefined}
        title={image.name}
        onClick={() => void open()}
      >
        {thumb !== null && 'url' in thumb ? (
          <img src={thumb.url} alt={image.name} width={box?.width} height={box?.height} />
        ) : (
          <span className="chat-image-placeholder" title={thumb?.error}>
            {thumb === null ? 'Loading image…' : `Image could not be loaded: ${image.name}`}
          </span>
        )}
      </button>
      {full !== null ? <ImageViewer url={full} name={image.name} onClose={() => setFull(null)} /> : null}
    </>
  );
}

function ImageViewer({ url, name, onClose }: { url: string; name: string; onClose: () => void }) {
  const dialog = useModalDialog();
  return (
    <dialog
      ref={dialog}
      className="image-viewer"
      aria-label={name}
      onCancel={(e) => {
        // React decides whether the viewer is open; the browser must not close it behind its back.
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        // A click on the backdrop lands on the dialog itself.
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <img src={url} alt={name} />
      <div className="image-viewer-bar">
        <span className="image-viewer-name">{name}</span>
        {/* The image is already here, decrypted if it was encrypted: saving it asks the server nothing. */}
        <a className="button" href={url} download={downloadName(name)}>
          Save
        </a>
        <button type="button" autoFocus onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}
