/**
 * Modal `private_metadata` the bot can trust on submission. A modal is opened from a click in a
 * channel; its submission arrives without any channel, so the metadata says which channel (and
 * which ids) it was opened for. A submission must not be able to claim another channel's
 * incident or audit, so the metadata is sealed: an HMAC over the person who opened it, the channel
 * and the ids, keyed by a secret derived from the app's own (signing secret, app token or bot
 * token). A submission whose metadata was not sealed by this app for this person is refused.
 *
 * Format (well under the 3,000 characters Slack allows): `v1.<base64url JSON>.<base64url MAC>`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type MetadataValue = string | number | null;

export interface OpenedMetadata {
  channel: string | null;
  data: Record<string, MetadataValue>;
}

export interface ViewMetadataSeal {
  seal(input: { user: string; channel: string | null; data: Record<string, MetadataValue> }): string;
  /** The channel and data sealed for `user`, or null (not ours, altered, another person's, malformed). */
  open(text: unknown, user: string): OpenedMetadata | null;
}

const PREFIX = 'v1';

export function createViewMetadataSeal(secret: string): ViewMetadataSeal {
  if (!secret) throw new Error('view metadata: the sealing secret is empty');
  // A key of its own, so a MAC made here can never stand in for a Slack request signature.
  const key = createHmac('sha256', secret).update('depwatch view private_metadata v1').digest();
  const mac = (user: string, body: string): Buffer => createHmac('sha256', key).update(`${user}\n${body}`).digest().subarray(0, 16);
  return {
    seal({ user, channel, data }) {
      const body = Buffer.from(JSON.stringify({ c: channel, d: data }), 'utf8').toString('base64url');
      return `${PREFIX}.${body}.${mac(user, body).toString('base64url')}`;
    },
    open(text, user) {
      if (typeof text !== 'string' || text.length > 3000) return null;
      const parts = text.split('.');
      if (parts.length !== 3 || parts[0] !== PREFIX) return null;
      const [, body = '', given = ''] = parts;
      const expected = mac(user, body);
      const actual = Buffer.from(given, 'base64url');
      if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
      try {
        const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
        if (typeof parsed !== 'object' || parsed === null) return null;
        const { c, d } = parsed as { c?: unknown; d?: unknown };
        if (!(c === null || typeof c === 'string') || typeof d !== 'object' || d === null || Array.isArray(d)) return null;
        return { channel: c, data: d as Record<string, MetadataValue> };
      } catch {
        return null;
      }
    },
  };
}

/** A whole number from opened metadata, or null. */
export function metadataNumber(data: Record<string, MetadataValue>, key: string): number | null {
  const value = data[key];
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** A string from opened metadata, or null. */
export function metadataString(data: Record<string, MetadataValue>, key: string): string | null {
  const value = data[key];
  return typeof value === 'string' ? value : null;
}
