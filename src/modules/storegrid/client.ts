import { MASK } from '../../core/redaction.js';
import { createHttpClient, type HttpClient, type HttpResponse } from '../../transport/http-client.js';
import type { ModuleLog } from '../../transport/module-log.js';
import type { ServerConnection } from '../contract.js';
import { type StoreGridErrorCode, storegridErrors } from './errors.js';
import {
  type AccountDetails,
  type AccountPackage,
  type AccountPage,
  type AccountSignup,
  type AccountType,
  accountParams,
  decodeAccount,
  decodeAccountPage,
  decodePassKey,
  decodeResponse,
  decodeServerInfo,
  encodeEdit,
  encodeForm,
  encodeSignup,
  listParams,
  maskPassKey,
  type ServerInfo,
  STOREGRID_WIRE,
  type WireOperation,
} from './wire-adapter.js';

/**
 * The StoreGrid web-console client: the module's remote operations in its own terms. How they
 * travel is the wire adapter's business (an assumption, see wire-adapter.ts); this file maps
 * answers and failures to catalogued errors and writes messages for the admin who reads them.
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
    let data: string;
    try {
      data = await this.call('getAccount', accountParams(type, name));
    } catch (error) {
      if (storegridErrors.is(error, 'storegrid.account_missing')) return null;
      throw error;
    }
    const account = decodeAccount(data);
    if (!account) this.unreadable(`the details of ${type} ${name}`);
    return account;
  }

  /** One page of accounts of a type (pages start at 1). */
  async listAccounts(type: AccountType, page: number): Promise<AccountPage> {
    const data = await this.call('listAccounts', listParams(type, page));
    const decoded = decodeAccountPage(data);
    if (!decoded) this.unreadable(`page ${page} of the ${type} list`);
    return decoded;
  }

  async signup(signup: AccountSignup): Promise<void> {
    await this.call(signup.type === 'reseller' ? 'signupReseller' : 'signupCustomer', encodeSignup(signup));
  }

  async setActive(type: AccountType, name: string, active: boolean): Promise<void> {
    await this.call(active ? 'activate' : 'deactivate', accountParams(type, name));
  }

  async setPackage(type: AccountType, name: string, pkg: AccountPackage): Promise<void> {
    await this.call('edit', encodeEdit(type, name, { package: pkg }));
  }

  async setNotes(type: AccountType, name: string, notes: string): Promise<void> {
    await this.call('edit', encodeEdit(type, name, { notes }));
  }

  async changePassword(type: AccountType, name: string, password: string): Promise<void> {
    await this.call('changePassword', { ...accountParams(type, name), Password: password });
  }

  async customerPassKey(name: string): Promise<string> {
    const key = decodePassKey(await this.call('getPassKey', { Name: name }));
    if (!key)
      throw storegridErrors.error(
        'storegrid.no_pass_key',
        `${this.where} returned no pass key for customer ${name}: retry the operation, or read the key in the console`,
      );
    return key;
  }

  private async call(operation: WireOperation, params: Record<string, string>): Promise<string> {
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

  private interpret(operation: WireOperation, response: HttpResponse): string {
    const answer = decodeResponse(response.body);
    if (answer?.ok && response.status < 400) return answer.data;
    if (answer && !answer.ok) {
      const code: StoreGridErrorCode =
        (STOREGRID_WIRE.errorCodes as Record<string, StoreGridErrorCode>)[answer.code] ?? 'storegrid.refused';
      const hint =
        code === 'storegrid.auth_failed'
          ? ': check the admin user name and password of this server'
          : code === 'storegrid.refused'
            ? ` (code ${answer.code})`
            : '';
      throw storegridErrors.error(
        code,
        `${this.where} refused ${operation}: ${answer.message || answer.code}${hint}`,
      );
    }
    if (response.status === 401 || response.status === 403) {
      throw storegridErrors.error(
        'storegrid.auth_failed',
        `${this.where} refused the admin credentials (HTTP ${response.status}): check the user name and password`,
      );
    }
    if ([429, 502, 503, 504].includes(response.status)) {
      throw storegridErrors.error(
        'storegrid.busy',
        `${this.where} is not answering ${operation} (HTTP ${response.status}); provisio retries by itself`,
      );
    }
    throw storegridErrors.error(
      'storegrid.unexpected_answer',
      `${this.where} gave an answer that is not a StoreGrid response to ${operation} (HTTP ${response.status}): check the host, the port and Secure (http vs https)`,
    );
  }

  private unreadable(what: string): never {
    throw storegridErrors.error(
      'storegrid.unexpected_answer',
      `${this.where} described ${what} in a form provisio does not understand: check that the server runs a StoreGrid SP web console`,
    );
  }
}
