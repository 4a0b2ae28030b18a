import nodemailer, { type Transporter } from 'nodemailer';
import { Redactor } from '../core/redaction.js';
import type { EngineEvent } from '../core/values.js';
import type { Db } from '../store/database.js';
import { getOperation, type OperationRecord } from '../store/repositories/operations.js';
import { getService } from '../store/repositories/services.js';
import { postSignedJson } from '../transport/webhook-post.js';
import type { EngineDeps } from './deps.js';
import type { EventBus } from './events.js';

/**
 * Failure notifications: when an operation lands in the failed-actions queue (`operation.failed`),
 * the people who run the engine hear of it once, by email and/or by a signed webhook, with the
 * backend's message and a link to the operation.
 *
 * "Once per operation" is a unique row per (operation, channel) in `notifications`: an operation
 * retried by an operator that fails again does not notify again. A channel that fails (SMTP down,
 * receiver 500) is retried with the outbox's redelivery until `maxAttempts`, then marked `failed`
 * and logged; channels already sent are not repeated.
 */
export interface NotificationSettings {
  /** Base of the links in messages, e.g. https://provisio.example.com. */
  publicUrl: string;
  email?: {
    host: string;
    port: number;
    secure: boolean;
    user?: string | undefined;
    password?: string | undefined;
    from: string;
    to: readonly string[];
    timeoutMs?: number;
  };
  webhook?: { url: string; secret: string; timeoutMs: number };
  /** Attempts per channel before it is given up (default 5). */
  maxAttempts?: number;
}

export interface FailureNotice {
  subject: string;
  text: string;
  /** The webhook channel's body. */
  json: Record<string, unknown>;
}

/** The message, decided from the operation alone (pure, tested alone). */
export function describeFailure(
  operation: Pick<OperationRecord, 'id' | 'serviceId' | 'serverId' | 'module' | 'action' | 'attempts'>,
  failure: { message: string; errorCode: string | null; errorKind: string | null },
  context: { publicUrl: string; domain: string | null },
): FailureNotice {
  const link = `${context.publicUrl.replace(/\/+$/, '')}/v1/operations/${operation.id}`;
  const what = `${operation.action} of service ${operation.serviceId}${context.domain ? ` (${context.domain})` : ''}`;
  const subject = `provisio: ${what} failed`;
  const text = [
    `The ${what} failed and is in the failed-actions queue.`,
    '',
    `Operation: ${operation.id}`,
    `Module:    ${operation.module}${operation.serverId ? ` on server ${operation.serverId}` : ''}`,
    `Attempts:  ${operation.attempts}`,
    `Error:     ${failure.errorCode ?? failure.errorKind ?? 'unknown'}`,
    '',
    failure.message,
    '',
    `Details: ${link}`,
    `Retry:   provisio ops retry ${operation.id}    Resolve: provisio ops resolve ${operation.id}`,
  ].join('\n');
  return {
    subject,
    text,
    json: {
      type: 'notification.operation_failed',
      text: `${subject}: ${failure.message}`,
      operationId: operation.id,
      serviceId: operation.serviceId,
      serverId: operation.serverId,
      module: operation.module,
      action: operation.action,
      errorCode: failure.errorCode,
      message: failure.message,
      link,
    },
  };
}

type Channel = 'email' | 'webhook';

interface Sent {
  status: string;
  attempts: number;
}

async function sentSoFar(db: Db, operationId: number): Promise<Map<string, Sent>> {
  const rows = await db
    .selectFrom('notifications')
    .select(['channel', 'status', 'attempts'])
    .where('operation_id', '=', operationId)
    .execute();
  return new Map(rows.map((row) => [row.channel, { status: row.status, attempts: row.attempts }]));
}

async function recordChannel(
  db: Db,
  row: {
    operationId: number;
    channel: Channel;
    status: string;
    attempts: number;
    error: string | null;
    now: number;
  },
): Promise<void> {
  const values = {
    status: row.status,
    attempts: row.attempts,
    last_error: row.error,
    sent_at: row.status === 'sent' ? row.now : null,
  };
  await db
    .insertInto('notifications')
    .values({ operation_id: row.operationId, channel: row.channel, created_at: row.now, ...values })
    .onConflict((oc) => oc.columns(['operation_id', 'channel']).doUpdateSet(values))
    .execute();
}

export class FailureNotifier {
  private readonly mailer: Transporter | undefined;
  private readonly redactor: Redactor;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly deps: Pick<EngineDeps, 'store' | 'clock' | 'logger'>,
    private readonly settings: NotificationSettings,
  ) {
    const email = settings.email;
    const timeout = email?.timeoutMs ?? 15_000;
    this.mailer = email
      ? nodemailer.createTransport({
          host: email.host,
          port: email.port,
          secure: email.secure,
          ...(email.user ? { auth: { user: email.user, pass: email.password ?? '' } } : {}),
          connectionTimeout: timeout,
          greetingTimeout: timeout,
          socketTimeout: timeout,
        })
      : undefined;
    // Error texts of SMTP servers and receivers are stored and logged: never with our secrets.
    this.redactor = new Redactor([email?.password, settings.webhook?.secret]);
  }

  get channels(): Channel[] {
    return [
      ...(this.mailer ? (['email'] as const) : []),
      ...(this.settings.webhook ? (['webhook'] as const) : []),
    ];
  }

  start(bus: EventBus): void {
    if (this.unsubscribe || this.channels.length === 0) return;
    this.unsubscribe = bus.subscribe('notifications', (event) => this.handle(event), {
      types: ['operation.failed'],
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.mailer?.close();
  }

  /** One `operation.failed` event; throws while a channel is still to be retried. */
  async handle(event: EngineEvent): Promise<void> {
    const { db } = this.deps.store;
    const operationId = Number(event.payload.operationId);
    const operation = await getOperation(db, operationId);
    if (!operation) return;
    const service = await getService(db, operation.serviceId);
    const notice = describeFailure(
      operation,
      {
        message: String(event.payload.message ?? operation.errorMessage ?? ''),
        errorCode: (event.payload.errorCode as string | undefined) ?? operation.errorCode,
        errorKind: (event.payload.errorKind as string | undefined) ?? operation.errorKind,
      },
      { publicUrl: this.settings.publicUrl, domain: service?.domain ?? null },
    );
    const done = await sentSoFar(db, operationId);
    const maxAttempts = this.settings.maxAttempts ?? 5;
    const retrying: string[] = [];
    for (const channel of this.channels) {
      const before = done.get(channel);
      if (before && before.status !== 'pending') continue;
      const attempts = (before?.attempts ?? 0) + 1;
      const error = await this.send(channel, notice, event);
      const status = error === null ? 'sent' : attempts >= maxAttempts ? 'failed' : 'pending';
      await recordChannel(db, { operationId, channel, status, attempts, error, now: this.deps.clock.now() });
      if (status === 'failed')
        this.deps.logger.error(
          { operationId, channel, err: error },
          `gave up notifying the failure of operation ${operationId} by ${channel} after ${attempts} attempts`,
        );
      if (status === 'pending') retrying.push(`${channel}: ${error}`);
    }
    if (retrying.length)
      throw new Error(`notification of operation ${operationId} will be retried (${retrying.join('; ')})`);
  }

  /** null when sent; otherwise what went wrong, redacted. */
  private async send(channel: Channel, notice: FailureNotice, event: EngineEvent): Promise<string | null> {
    try {
      if (channel === 'email') {
        const email = this.settings.email!;
        await this.mailer!.sendMail({
          from: email.from,
          to: [...email.to],
          subject: notice.subject,
          text: notice.text,
          headers: { 'X-Provisio-Operation': String(notice.json.operationId) },
        });
        return null;
      }
      const hook = this.settings.webhook!;
      const result = await postSignedJson(hook.url, hook.secret, JSON.stringify(notice.json), {
        timeoutMs: hook.timeoutMs,
        now: () => this.deps.clock.now(),
        headers: {
          'Provisio-Event-Id': String(event.id),
          'Provisio-Event-Type': 'notification.operation_failed',
        },
      });
      return result.ok ? null : this.redactor.redactText(result.error ?? 'failed');
    } catch (error) {
      return this.redactor.redactText((error as Error).message);
    }
  }
}
