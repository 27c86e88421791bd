/**
 * The dashboard's sign-in, for browser apps served by the daemon itself: an
 * API token is exchanged for an HttpOnly session cookie, which the browser
 * then sends with every same-origin request (make the client without a token).
 * Servers and scripts use a token instead; they never need a session.
 */
import type { Http } from './http.js';
import type { SessionInfo } from './types.js';

export class Session {
  constructor(private readonly http: Http) {}

  /** Whether the API takes tokens (`auth`) and who this client is signed in as (`token_name`, null: nobody). */
  async get(): Promise<SessionInfo> {
    return this.http.call('get', '/v1/session', {});
  }

  /** Exchanges a token for the session cookie (401: not a token of this daemon; 409: auth is off). */
  async signIn(token: string): Promise<SessionInfo> {
    return this.http.call('post', '/v1/session', { body: { token } });
  }

  /** Clears the session cookie. */
  async signOut(): Promise<void> {
    await this.http.call('delete', '/v1/session', {});
  }
}
