/**
 * Reading mail: remote images on request (this message, or always for its sender) and attachments
 * fetched from the hub when the user opens or saves one.
 */
import { reloadDetail, showToast, type Hub } from './actions.ts';

/** Show images: the open message is fetched again with its remote content let in. */
export async function showRemoteImages(hub: Hub): Promise<void> {
  const { openId } = hub.store.getState();
  if (openId === null) return;
  hub.store.setState({ remoteContentFor: openId });
  await reloadDetail(hub);
}

/** Always from this sender: remembered by the hub, so every mail from them shows its images at once. */
export async function alwaysShowImagesFrom(hub: Hub, address: string): Promise<void> {
  const result = await hub.client.call('mail.remoteImagesFrom', { address, allow: true });
  if (!result.ok) {
    showToast(hub, 'error', `Could not remember the sender: ${result.error.message}`);
    return;
  }
  hub.store.setState({ preferences: result.value });
  await reloadDetail(hub);
}

export async function stopShowingImagesFrom(hub: Hub, address: string): Promise<void> {
  const result = await hub.client.call('mail.remoteImagesFrom', { address, allow: false });
  if (!result.ok) {
    showToast(hub, 'error', `Could not change the setting: ${result.error.message}`);
    return;
  }
  hub.store.setState({ preferences: result.value, remoteContentFor: null });
  await reloadDetail(hub);
}

/** An attachment's bytes as a Blob, or null after telling the user why not. */
export async function fetchAttachment(hub: Hub, itemId: string, index: number): Promise<{ blob: Blob; name: string } | null> {
  const result = await hub.client.call('item.attachment', { itemId, index });
  if (!result.ok) {
    showToast(hub, 'error', `Could not fetch the attachment: ${result.error.message}`);
    return null;
  }
  const binary = atob(result.value.base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return { blob: new Blob([bytes], { type: result.value.contentType || 'application/octet-stream' }), name: result.value.name };
}
