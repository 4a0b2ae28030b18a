import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/core/webhook-signature.js';
import { describeFailure, type NotificationSettings } from '../../src/engine/notifications.js';
import { type RunningFixtureBackend, startFixtureBackend } from '../support/fixture-backend.js';
import { setUpFixtureService } from '../support/fixtures.js';
import { waitUntil } from '../support/wait-until.js';
import { type OpsEngine, type Receiver, startOpsEngine, startReceiver } from './support.js';

const SMTP_USER = 'provisio';
const SMTP_PASSWORD = 'smtp-Pa55word-never-logged';
const HOOK_SECRET = 'whsec_notify_secret_1234';
const SERVER_SECRET = 'server-key-in-the-error-77';

interface Mail {
  from: string | undefined;
  to: string[];
  raw: string;
}

/** A real SMTP server over a socket, with AUTH; `refuse` makes it answer 550 to every recipient. */
async function startSmtp(options: { refuse?: boolean } = {}) {
  const mails: Mail[] = [];
  const logins: string[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push(auth.username ?? '');
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD)
        return callback(null, { user: SMTP_USER });
      return callback(new Error('Invalid username or password'));
    },
    onRcptTo(_address, _session, callback) {
      if (!options.refuse) return callback();
      const error = new Error('mailbox unavailable') as Error & { responseCode: number };
      error.responseCode = 550;
      return callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, logins, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Quoted-printable soft line breaks undone, so assertions read the text as written. */
const plain = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');

describe('failure notifications', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(smtpOptions: { refuse?: boolean } = {}, hookPlan: ('ok' | 'error')[] = []) {
    const smtp = await startSmtp(smtpOptions);
    cleanups.push(smtp.close);
    const receiver: Receiver = await startReceiver();
    cleanups.push(receiver.close);
    receiver.plan(...hookPlan);
    const backend: RunningFixtureBackend = await startFixtureBackend();
    cleanups.push(backend.close);
    const notifications: NotificationSettings = {
      publicUrl: 'https://provisio.example.com/',
      email: {
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        user: SMTP_USER,
        password: SMTP_PASSWORD,
        from: 'provisio <provisio@example.com>',
        to: ['ops@example.com', 'oncall@example.com'],
        timeoutMs: 3_000,
      },
      webhook: { url: receiver.url, secret: HOOK_SECRET, timeoutMs: 1_000 },
      maxAttempts: 3,
    };
    const t: OpsEngine = await startOpsEngine({ notifications });
    cleanups.push(() => t.close());
    const { service } = await setUpFixtureService(t.engine, backend, { serverSecret: SERVER_SECRET });
    backend.state.behave(`fx-${service.id}`, 'create', {
      kind: 'fail',
      message: `quota exceeded for key ${SERVER_SECRET}`,
    });
    return { smtp, receiver, backend, t, service };
  }

  const rows = (t: OpsEngine) =>
    t.engine.store.db.selectFrom('notifications').selectAll().orderBy('channel').execute();

  it('mails and posts once per failed operation, with the backend message and a link; never again for the same operation', async () => {
    const { smtp, receiver, t, service } = await setUp();
    const failed = await t.engine.run(service.id, 'create');
    expect(failed.status).toBe('failed');
    await waitUntil(
      () => smtp.mails.length === 1 && receiver.requests.length === 1,
      10_000,
      'both notifications',
    );

    const [mail] = smtp.mails;
    expect(mail!.to).toEqual(['ops@example.com', 'oncall@example.com']);
    expect(mail!.from).toBe('provisio@example.com');
    expect(smtp.logins).toEqual([SMTP_USER]);
    const text = plain(mail!.raw);
    expect(text).toContain(`Subject: provisio: create of service ${service.id} (example.com) failed`);
    expect(text).toContain('quota exceeded for key ***');
    expect(text).toContain(`https://provisio.example.com/v1/operations/${failed.id}`);
    expect(text).not.toContain(SERVER_SECRET);

    const [post] = receiver.requests;
    expect(verifySignature(HOOK_SECRET, post!.headers['provisio-signature'] as string, post!.body)).toBe(
      true,
    );
    expect(JSON.parse(post!.body)).toMatchObject({
      type: 'notification.operation_failed',
      operationId: failed.id,
      serviceId: service.id,
      action: 'create',
      message: expect.stringContaining('quota exceeded for key ***'),
      link: `https://provisio.example.com/v1/operations/${failed.id}`,
    });
    await waitUntil(
      async () => (await rows(t)).every((r) => r.status === 'sent') && (await rows(t)).length === 2,
    );

    // Retried by an operator and failed again: a second operation.failed, no second notice.
    await t.engine.operations.retry(failed.id);
    expect((await t.engine.operations.waitFor(failed.id, { timeoutMs: 10_000 })).status).toBe('failed');
    await waitUntil(async () => (await t.engine.events.list({ type: 'operation.failed' })).length === 2);
    await waitUntil(async () => (await t.engine.events.deliverPending()) === 0);
    expect(smtp.mails).toHaveLength(1);
    expect(receiver.requests).toHaveLength(1);
    expect((await rows(t)).map((r) => [r.channel, r.status, r.attempts])).toEqual([
      ['email', 'sent', 1],
      ['webhook', 'sent', 1],
    ]);
  });

  it('retries a refusing SMTP server and a receiver answering 500, gives up on SMTP after the attempts, and never writes the password', async () => {
    const { smtp, receiver, t, service } = await setUp({ refuse: true }, ['error']);
    await t.engine.run(service.id, 'create');
    await waitUntil(
      async () => (await rows(t)).find((r) => r.channel === 'email')?.status === 'failed',
      15_000,
      'the email channel to give up',
    );
    const [email, hook] = await rows(t);
    expect(email).toMatchObject({ status: 'failed', attempts: 3, sent_at: null });
    expect(email!.last_error).toMatch(/550/);
    // The receiver failed once, then took it on the redelivery; it is not sent again after.
    expect(hook).toMatchObject({ status: 'sent', attempts: 2 });
    expect(receiver.requests).toHaveLength(2);
    expect(smtp.mails).toHaveLength(0);
    expect(t.logLines.some((line) => line.includes('gave up notifying the failure of operation'))).toBe(true);
    const stored = JSON.stringify(await t.engine.store.db.selectFrom('notifications').selectAll().execute());
    for (const text of [t.logLines.join('\n'), stored]) {
      expect(text).not.toContain(SMTP_PASSWORD);
      expect(text).not.toContain(HOOK_SECRET);
      expect(text).not.toContain(SERVER_SECRET);
    }
  });

  it('says what failed, where, and what to do next', () => {
    const notice = describeFailure(
      { id: 9, serviceId: 4, serverId: 2, module: 'axigen', action: 'suspend', attempts: 5 },
      {
        message: 'axigen on mail1: connection refused',
        errorCode: 'transport.unavailable',
        errorKind: 'unavailable',
      },
      { publicUrl: 'https://p.example.com//', domain: null },
    );
    expect(notice.subject).toBe('provisio: suspend of service 4 failed');
    expect(notice.text).toContain('Module:    axigen on server 2');
    expect(notice.text).toContain('Error:     transport.unavailable');
    expect(notice.text).toContain('Details: https://p.example.com/v1/operations/9');
    expect(notice.text).toContain('provisio ops retry 9');
  });
});
