import type { Config } from './config.js';
import type { NotificationSettings } from './engine/notifications.js';
import { daysToMs, type RetentionPolicy } from './engine/retention.js';
import type { WebhookOptions } from './engine/webhooks.js';

/** The configuration's webhook, notification and retention settings in the engine's terms. */
export function webhookOptions(config: Config): Partial<WebhookOptions> {
  return { timeoutMs: config.webhookTimeoutSeconds * 1000, maxAttempts: config.webhookMaxAttempts };
}

export function retentionPolicy(config: Config): RetentionPolicy & { intervalMs: number } {
  return {
    operationsMs: daysToMs(config.retainOperationsDays),
    moduleLogMs: daysToMs(config.retainModuleLogDays),
    eventsMs: daysToMs(config.retainEventsDays),
    intervalMs: config.retentionIntervalMinutes * 60_000,
  };
}

/** The engine's address for links: PROVISIO_PUBLIC_URL, or where it listens. */
export function publicUrlOf(config: Config): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

/** undefined when no channel is configured. */
export function notificationSettings(config: Config): NotificationSettings | undefined {
  if (!config.smtpHost && !config.notifyWebhookUrl) return undefined;
  return {
    publicUrl: publicUrlOf(config),
    ...(config.smtpHost
      ? {
          email: {
            host: config.smtpHost,
            port: config.smtpPort,
            secure: config.smtpSecure,
            user: config.smtpUser,
            password: config.smtpPassword,
            from: config.smtpFrom!,
            to: config
              .smtpTo!.split(',')
              .map((address) => address.trim())
              .filter(Boolean),
          },
        }
      : {}),
    ...(config.notifyWebhookUrl
      ? {
          webhook: {
            url: config.notifyWebhookUrl,
            secret: config.notifyWebhookSecret!,
            timeoutMs: config.webhookTimeoutSeconds * 1000,
          },
        }
      : {}),
  };
}
