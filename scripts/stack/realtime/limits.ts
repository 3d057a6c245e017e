// Limits of the local Realtime server. The numbers are Supabase's (Free plan and server
// defaults) so that a project that works locally does not break once hosted.

/** Channels one socket may join (Supabase: max_channels_per_client). */
export const MAX_CHANNELS_PER_SOCKET = 100;
/** Largest broadcast / presence payload (Free plan: 256 KB). */
export const MAX_PAYLOAD_BYTES = 256 * 1000;
/** Largest WebSocket frame; bigger frames close the socket with 1009 (Supabase: max_frame_size). */
export const MAX_FRAME_BYTES = 5_000_000;
/** Presence track/untrack calls one channel may make per window (client_presence_rate_limit). */
export const PRESENCE_MAX_CALLS = 5;
export const PRESENCE_WINDOW_MS = 30_000;
/** A socket that sends nothing for this long is closed (Phoenix's websocket timeout). */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/** A socket whose unsent output grows past this is too slow to keep up and is dropped. */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** Byte limits of the binary frame headers (each length is one byte). */
export const MAX_HEADER_FIELD_BYTES = 255;

/** Idle timeout, overridable for tests that must see a dead socket closed quickly. */
export function idleTimeoutMs(): number {
  const raw = Number(process.env.EMILY_REALTIME_IDLE_TIMEOUT_MS);
  return Number.isFinite(raw) && raw > 0 ? raw : DEFAULT_IDLE_TIMEOUT_MS;
}
