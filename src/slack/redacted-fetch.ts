/**
 * The last line of defence before Slack: every Web API call the bot makes (chat.postMessage,
 * chat.update, views.*, …) has each form value redacted (redactSecrets: every token format the
 * secret scanner knows, URL credentials), so a token that slipped past the redaction at its source
 * (a parse error quoting a line, a path, an advisory summary) never reaches a channel. The Web API
 * client sends url-encoded forms, blocks as JSON strings; redacting keeps JSON valid. `token` is
 * the bot's own credential and goes as is.
 */
import { redactSecrets } from '../redact.js';

import type { FetchLike } from '../http.js';

export function redactedSlackFetch(fetchImpl: FetchLike): FetchLike {
  return (input, init) => {
    const body = init?.body;
    if (typeof body !== 'string') return fetchImpl(input, init);
    const form = new URLSearchParams(body);
    let changed = false;
    for (const [key, value] of form) {
      if (key === 'token') continue;
      const redacted = redactSecrets(value);
      if (redacted !== value) {
        form.set(key, redacted);
        changed = true;
      }
    }
    return fetchImpl(input, changed ? { ...init, body: form.toString() } : init);
  };
}
