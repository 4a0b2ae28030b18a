import type { ServerContext, TestConnectionResult } from '../contract.js';
import { getVersion, type VersionInfo } from './client.js';
import { poolSettingsOf } from './common.js';
import { axigenErrors } from './errors.js';
import { parseTable } from './parse.js';
import { AxigenCliSession } from './session.js';

/**
 * Test connection (docs/specs/axigen.md §3): connect, read the version before login, log in, list domains, EXIT
 * — on a fresh session, never a pooled one, so the answer is about the server as it is now.
 * Failures are told apart as the product docs' troubleshooting table does: refused or
 * unreachable, network timeout, plain/TLS mismatch, bad credentials, missing permission.
 */
const SUPPORTED = /^10\.(6|7)\./;

function versionNote(version: VersionInfo): string {
  if (/^10\.6\./.test(version.version)) return 'X6';
  if (/^10\.7\./.test(version.version)) return 'X7';
  return 'not X6/X7: untested';
}

export async function testAxigenConnection(ctx: ServerContext): Promise<TestConnectionResult> {
  const settings = poolSettingsOf(ctx.server);
  const session = await AxigenCliSession.open(
    {
      server: ctx.server,
      commandTimeoutMs: settings.commandTimeoutMs,
      connectTimeoutMs: settings.connectTimeoutMs,
    },
    ctx,
  );
  try {
    const version = await getVersion(session);
    await session.login(ctx.server.username, ctx.server.secret);
    const listed = await session.send('LIST Domains', { mutating: false });
    if (!listed.ok) {
      throw axigenErrors.error(
        'axigen.permission_missing',
        `${session.where} accepted the login of "${ctx.server.username}" but refused to list domains (${listed.text || 'no reason given'}): the account lacks permission; use the admin account or grant domain rights to this delegated admin`,
      );
    }
    const domains = parseTable(listed.data).rows.length;
    await session.exit();
    return {
      summary: `Axigen ${version.version} (${versionNote(version)}) on ${version.os || 'unknown OS'} ${version.platform}, ${domains} active domain${domains === 1 ? '' : 's'}`,
      details: {
        version: version.version,
        versionLine: version.raw,
        os: version.os,
        platform: version.platform,
        supported: SUPPORTED.test(version.version) ? 'yes' : 'no',
        domains: String(domains),
        transport: ctx.server.secure ? 'implicit TLS' : 'plain TCP',
      },
    };
  } finally {
    session.destroy();
  }
}
