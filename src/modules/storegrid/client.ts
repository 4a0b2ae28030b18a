import { type ErrorKind, legacyModuleError, ProvisioningError } from '../../core/errors.js';
import { MASK } from '../../core/redaction.js';
import {
  createHttpClient,
  type HttpClient,
  type HttpResponse,
  statusKind,
} from '../../transport/http-client.js';
import type { ModuleLog } from '../../transport/module-log.js';
import type { ServerConnection } from '../contract.js';
import {
  type AccountDetails,
  type AccountSignup,
  type AccountType,
  accountTypeToWire,
  DATA_KEYS,
  decodeAccountDetails,
  decodeResponse,
  decodeServerInfo,
  encodeForm,
  encodeSignup,
  maskPassKey,
  type ServerInfo,
  STOREGRID_WIRE,
  type WireOperation,
} from './wire-adapter.js';

/**
 * The StoreGrid web-console client: the module's five remote operations in its own terms. How
 * they travel is the wire adapter's business (an assumption, see wire-adapter.ts); this file maps
 * answers and failures to error kinds and writes messages for the admin who reads them.
 */
export interface StoreGridClientOptions {
  server: Pick<ServerConnection, 'host' | 'port' | 'secure' | 'username' | 'secret' | 'tls'>;
  moduleLog: ModuleLog;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** The module log with pass keys masked in answers before the sink sees them. */
function passKeyMaskingLog(inner: ModuleLog): ModuleLog {
  return {
    redactor: inner.redactor,
    record: (call) => inner.record({ ...call, response: maskPassKey(call.response, MASK) }),
  };
}

const TYPE = STOREGRID_WIRE.params.accountType;
const NAME = STOREGRID_WIRE.params.name;

export class StoreGridClient {
  private readonly http: HttpClient;
  readonly where: string;

  constructor(options: StoreGridClientOptions) {
    const { server } = options;
    this.where = `the StoreGrid web console at ${server.host}:${server.port}`;
    const basic = Buffer.from(`${server.username}:${server.secret}`).toString('base64');
    this.http = createHttpClient({
      baseUrl: `${server.secure ? 'https' : 'http'}://${server.host}:${server.port}`,
      headers: { authorization: `Basic ${basic}`, accept: 'application/xml, text/xml' },
      tls: server.tls,
      moduleLog: passKeyMaskingLog(options.moduleLog),
      backendName: this.where,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  }

  async serverInfo(): Promise<ServerInfo> {
    return decodeServerInfo(await this.call('serverInfo', {}));
  }

  /** The account, or null when the console has none of that type and name. */
  async getAccount(type: AccountType, name: string): Promise<AccountDetails | null> {
    try {
      const data = await this.call('getAccount', { [TYPE]: accountTypeToWire(type), [NAME]: name });
      const account = decodeAccountDetails(data);
      if (!account) {
        throw legacyModuleError(
          'remote',
          `${this.where} described ${type} ${name} in a form provisio does not understand`,
          {
            code: 'storegrid.unexpected_answer',
          },
        );
      }
      return account;
    } catch (error) {
      if (error instanceof ProvisioningError && error.code === 'storegrid.ACCOUNT_NOT_FOUND') return null;
      throw error;
    }
  }

  async signup(signup: AccountSignup): Promise<void> {
    await this.call(signup.type === 'reseller' ? 'signupReseller' : 'signupCustomer', encodeSignup(signup));
  }

  async setActive(type: AccountType, name: string, active: boolean): Promise<void> {
    await this.call(active ? 'activate' : 'deactivate', { [TYPE]: accountTypeToWire(type), [NAME]: name });
  }

  async customerPassKey(name: string): Promise<string> {
    const data = await this.call('getPassKey', { [NAME]: name });
    const key = data[DATA_KEYS.passKey];
    if (!key) {
      throw legacyModuleError('remote', `${this.where} returned no pass key for customer ${name}`, {
        code: 'storegrid.no_pass_key',
      });
    }
    return key;
  }

  private async call(
    operation: WireOperation,
    params: Record<string, string>,
  ): Promise<Record<string, string>> {
    const { method, path } = STOREGRID_WIRE.operations[operation];
    const response =
      method === 'GET'
        ? await this.http.request({ method, path, query: params })
        : await this.http.request({
            method,
            path,
            rawBody: encodeForm(params),
            headers: { 'content-type': STOREGRID_WIRE.contentType },
          });
    return this.interpret(operation, response);
  }

  private interpret(operation: WireOperation, response: HttpResponse): Record<string, string> {
    const answer = decodeResponse(response.body);
    if (answer?.ok && response.status < 400) return answer.data;
    if (answer && !answer.ok) {
      const kind: ErrorKind =
        (STOREGRID_WIRE.errorCodes as Record<string, ErrorKind>)[answer.code] ??
        (response.status >= 400 ? statusKind(response.status) : 'remote');
      const hint = kind === 'auth' ? ': check the admin user name and password of this server' : '';
      return this.fail(
        kind,
        `${this.where} refused ${operation}: ${answer.message || answer.code}${hint}`,
        answer.code,
      );
    }
    if (response.status === 401 || response.status === 403) {
      return this.fail(
        'auth',
        `${this.where} refused the admin credentials (HTTP ${response.status}): check the user name and password`,
        'auth',
      );
    }
    const kind = response.status >= 400 ? statusKind(response.status) : 'remote';
    return this.fail(
      kind,
      `${this.where} gave an answer that is not a StoreGrid response to ${operation} (HTTP ${response.status}): check the host, the port and http vs https`,
      'unexpected_answer',
    );
  }

  private fail(kind: ErrorKind, message: string, code: string): never {
    throw legacyModuleError(kind, message, { code: `storegrid.${code}` });
  }
}
