/**
 * The content repository: legacy /_matrix/media/v3 endpoints and the authenticated
 * /_matrix/client/v1/media ones (Matrix 1.11), which refuse requests without an access token.
 */
import { MatrixError, notFound } from './errors.ts';
import { authedRoute, CLIENT_V1, MEDIA, openRoute, type Reply, type RequestContext, type Route } from './router.ts';
import { randomId } from './state.ts';

const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
// Types a browser can show inline without running anything; the rest download as attachments, as on Synapse.
const INLINE_TYPES = /^(image\/(png|jpeg|gif|webp|apng|avif)|video\/(mp4|webm|ogg)|audio\/\w+|text\/plain)/;

function serveMedia(ctx: RequestContext): Reply {
  const { serverName, mediaId } = ctx.params;
  const stored = serverName === ctx.hs.serverName ? ctx.hs.media.get(mediaId ?? '') : undefined;
  if (!stored) throw notFound('Not found');
  const filename = ctx.params.fileName ?? stored.filename;
  const disposition = INLINE_TYPES.test(stored.contentType) ? 'inline' : 'attachment';
  return {
    bytes: stored.bytes,
    headers: {
      'content-type': stored.contentType,
      'content-disposition': filename ? `${disposition}; filename*=utf-8''${encodeURIComponent(filename)}` : disposition,
      'content-security-policy': "sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; style-src 'unsafe-inline'; media-src 'self'; object-src 'self';",
      'cross-origin-resource-policy': 'cross-origin',
    },
  };
}

const mediaConfig = () => ({ json: { 'm.upload.size': MAX_UPLOAD_BYTES } });

export const mediaRoutes: Route[] = [
  authedRoute('POST', `${MEDIA}/upload`, (ctx) => {
    if (ctx.rawBody.length > MAX_UPLOAD_BYTES) throw new MatrixError(413, 'M_TOO_LARGE', 'Upload request body is too large');
    const mediaId = randomId(18);
    ctx.hs.media.set(mediaId, {
      bytes: ctx.rawBody,
      contentType: ctx.headers['content-type'] ?? 'application/octet-stream',
      filename: ctx.query.get('filename') ?? undefined,
      uploader: ctx.user.userId,
    });
    return { json: { content_uri: `mxc://${ctx.hs.serverName}/${mediaId}` } };
  }),
  openRoute('GET', `${MEDIA}/config`, mediaConfig),
  openRoute('GET', `${MEDIA}/download/{serverName}/{mediaId}`, serveMedia),
  openRoute('GET', `${MEDIA}/download/{serverName}/{mediaId}/{fileName}`, serveMedia),
  // Thumbnails are the original bytes: good enough for a client, and no image codec is needed.
  openRoute('GET', `${MEDIA}/thumbnail/{serverName}/{mediaId}`, serveMedia),
  authedRoute('GET', `${CLIENT_V1}/media/config`, mediaConfig),
  authedRoute('GET', `${CLIENT_V1}/media/download/{serverName}/{mediaId}`, serveMedia),
  authedRoute('GET', `${CLIENT_V1}/media/download/{serverName}/{mediaId}/{fileName}`, serveMedia),
  authedRoute('GET', `${CLIENT_V1}/media/thumbnail/{serverName}/{mediaId}`, serveMedia),
];
