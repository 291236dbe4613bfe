/**
 * `/audit owner/repo[@branch] | URL | help`: acks at once, then audits in the background.
 * `/audit package name[==version] …`: health cards (package-service.ts).
 * `/audit watch|unwatch|list|schedule|ignore|unignore …` go to the watching service.
 */
import type { App } from '@slack/bolt';
import { parseWatchCommand } from '../../../watch/commands.js';
import { pullRequestInUrl, RepoRefError } from '../../../github/repo-ref.js';
import { usageMessage } from '../../blocks/errors.js';
import { fitMessage } from '../../blocks/fit.js';
import { md } from '../../blocks/mrkdwn.js';
import { commandText } from '../../command-text.js';
import { PackageAnswerError, packageUsageMessage, parsePackageCommand } from '../../package-service.js';
import { reportFailure, type ListenerDeps } from '../deps.js';
import type { KnownBlock } from '@slack/types';
import { watchReplyMessage } from '../../blocks/watch-reply.js';
import { failedPackagesPlaceholder } from '../../blocks/package-card.js';
import { editIdempotently } from '../../idempotent-edit.js';

const HELP = /^(help|-h|--help|\?|usage)$/i;

export function registerAuditCommand(app: App, deps: ListenerDeps): void {
  app.command('/audit', async ({ command, ack, respond, client }) => {
    const text = commandText(command.text).trim();
    const available = { packages: Boolean(deps.packages), watching: Boolean(deps.watch) };
    if (!text || HELP.test(text)) {
      await ack({ response_type: 'ephemeral', ...fitMessage(usageMessage(undefined, available)).first });
      return;
    }
    const packageCommand = parsePackageCommand(text);
    if (packageCommand) {
      if (!deps.packages) {
        await ack({ response_type: 'ephemeral', text: 'Package cards are not available on this bot.' });
        return;
      }
      if (packageCommand.requests.length === 0) {
        await ack({ response_type: 'ephemeral', ...fitMessage(packageUsageMessage(packageCommand.refused)).first });
        return;
      }
      // Cards ask PyPI, GitHub and OSV: ack at once, answer in a message the bot posts (package-service.ts).
      await ack();
      const packages = deps.packages;
      const names = packageCommand.requests.map((r) => r.given);
      deps.service.track(
        packages.answer(packageCommand, { user: command.user_id, channel: command.channel_id, client, respond }).catch((err: unknown) => {
          const placed = err instanceof PackageAnswerError ? err.placeholder : null;
          // A placeholder the bot posted is edited to say it failed (as /audit owner/repo's is), whether or not response_url still works.
          // The same content each try: sent again while its outcome is unknown (idempotent-edit.ts).
          const replace = placed?.mode === 'chat' ? (m: { text: string; blocks: KnownBlock[] }) => editIdempotently(() => client.chat.update({ channel: placed.channel, ts: placed.ts, text: m.text, blocks: m.blocks })) : undefined;
          return reportFailure(deps, err instanceof PackageAnswerError ? err.cause : err, '/audit package', respond, (errorId) => failedPackagesPlaceholder(names, command.user_id, errorId), replace);
        }),
      );
      return;
    }
    if (deps.watch && parseWatchCommand(text)) {
      // Watching may look the repository up on GitHub: ack first, answer through response_url.
      await ack();
      try {
        const reply = await deps.watch.handleCommand(text, { userId: command.user_id, channelId: command.channel_id });
        if (reply) {
          const fitted: { text: string; blocks?: KnownBlock[] } = watchReplyMessage(reply);
          await respond({ response_type: reply.ephemeral ? 'ephemeral' : 'in_channel', text: fitted.text, ...(fitted.blocks ? { blocks: fitted.blocks } : {}) });
        }
      } catch (err) {
        await reportFailure(deps, err, `/audit ${text.split(/\s+/)[0]}`, respond);
      }
      return;
    }
    let ref;
    try {
      ref = deps.service.parseRef(text);
    } catch (err) {
      if (!(err instanceof RepoRefError)) throw err;
      // The message quotes what was typed: escaped, so `<!channel>` in it is text.
      await ack({ response_type: 'ephemeral', ...fitMessage(usageMessage(md`:warning: ${err.message}.`.text, available)).first });
      return;
    }
    await ack();
    const pullRequest = pullRequestInUrl(text);
    deps.service.start({ ref, user: command.user_id, channel: command.channel_id, client, respond, via: 'command', ...(pullRequest !== null ? { ignoredPullRequest: pullRequest } : {}) });
  });
}
