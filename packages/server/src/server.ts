/**
 * Starting the tracking server: open (and migrate) the store, serve the HTTP API.
 *
 * @example
 * const server = await startServer({ port: 0, dataDir: '/tmp/cairn' });
 * console.log(server.url);
 * await server.close();
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { CairnError, type AlertInfo } from '@cairn/protocol';
import { openDatabase } from './db/connection.js';
import { migrateToLatest } from './db/migrations.js';
import { createApp } from './http/app.js';
import { hasUsers } from './auth/keys.js';
import { defaultWebRoot, mountWeb } from './http/web.js';
import { LiveHub } from './live.js';
import { startPostgresRelay, type LiveRelay } from './live-relay.js';
import { FileBlobStore } from './blobs/blob-store.js';
import { Store, type RunKey } from './store/store.js';
import { alertWebhook } from './alert-webhook.js';

export const SERVER_VERSION = '0.1.0';

export interface ServerOptions {
  /** 0 picks a free port. Default 8080. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Where the embedded database and blobs live. Default ~/.cairn. */
  dataDir?: string;
  /** `sqlite:<file>` or `postgres://…`; default the SQLite file in dataDir. */
  db?: string;
  /** A running run silent for this long reads as crashed. Default 300 s. */
  heartbeatTimeoutSeconds?: number;
  /** The built dashboard served at `/` (default: this repository's packages/web/dist); false: the API only. */
  webRoot?: string | false;
  /** POST each alert a run raises (and the server does not suppress) to this URL as JSON (alert-webhook.ts). */
  alertWebhook?: string;
  quiet?: boolean;
}

export interface RunningServer {
  url: string;
  port: number;
  store: Store;
  /** Stops accepting connections, lets in-flight requests finish, closes the database. */
  close(): Promise<void>;
}

/** Loopback addresses only this machine can reach: no API key is needed there while no user exists. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function defaultDataDir(): string {
  return process.env.CAIRN_DATA ?? path.join(os.homedir(), '.cairn');
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  if (options.alertWebhook !== undefined && !/^https?:\/\/[^/]/.test(options.alertWebhook)) {
    throw new CairnError('usage', `the alert webhook must be an http:// or https:// URL, got ${JSON.stringify(options.alertWebhook)}`);
  }
  const dataDir = path.resolve(options.dataDir ?? defaultDataDir());
  mkdirSync(dataDir, { recursive: true });
  const database = openDatabase(options.db, dataDir);
  try {
    await migrateToLatest(database.db, database.capabilities);
  } catch (error) {
    await database.close();
    throw error;
  }
  const store = new Store(database.db, database.capabilities, { heartbeatTimeoutSeconds: options.heartbeatTimeoutSeconds });
  const live = new LiveHub();
  let relay: LiveRelay | undefined;
  if (database.capabilities.notifications && options.db) {
    try {
      relay = await startPostgresRelay(options.db, { deliver: (event) => live.deliver(event) });
      live.attachRelay(relay);
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  const host = options.host ?? '127.0.0.1';
  const requireKeys = !isLoopback(host);
  const blobs = new FileBlobStore(path.join(dataDir, 'blobs'));
  // The webhook's messages link to the dashboard, whose URL is known once listening.
  let notifyAlert: ((run: RunKey, alert: AlertInfo) => void) | undefined;
  const onAlert = options.alertWebhook === undefined ? undefined : (run: RunKey, alert: AlertInfo) => notifyAlert?.(run, alert);
  const app = createApp({ store, version: SERVER_VERSION, live, requireKeys, blobs, onAlert });
  if (options.webRoot !== false) mountWeb(app, options.webRoot ?? defaultWebRoot());
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 8080, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (options.alertWebhook !== undefined) notifyAlert = alertWebhook(options.alertWebhook, { dashboardUrl: url });
  if (!options.quiet) {
    console.log(`cairn server ${SERVER_VERSION} listening on ${url} (data: ${database.location})`);
    if (requireKeys && !(await hasUsers(database.db))) {
      console.log(`every request needs an API key on ${host}, and none exists yet: create one with \`cairn keys create --data ${dataDir}\``);
    }
  }
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    store,
    close() {
      closing ??= new Promise<void>((resolve) => {
        live.close();
        const http = server as { closeIdleConnections?: () => void; closeAllConnections?: () => void };
        // Connections that become idle after close() (a request or stream that just ended)
        // would hold it until the client drops them: sweep them until the server is closed.
        const sweep = setInterval(() => http.closeIdleConnections?.(), 50);
        // In-flight requests get a grace period; then the remaining connections are cut.
        const force = setTimeout(() => http.closeAllConnections?.(), 5000);
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(force);
          resolve();
        });
      })
        .then(() => relay?.close())
        .then(() => database.close());
      return closing;
    },
  };
}
