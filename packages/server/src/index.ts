export { startServer, defaultDataDir, isLoopback, SERVER_VERSION, type ServerOptions, type RunningServer } from './server.js';
export { createApp, type AppOptions } from './http/app.js';
export { Store, type RunKey } from './store/store.js';
export { openDatabase, type Capabilities, type OpenDatabase } from './db/connection.js';
export { migrateToLatest, migrationNames } from './db/migrations.js';
export { createApiKey, userForKey, type CreatedKey } from './auth/keys.js';
export { mountWeb, defaultWebRoot } from './http/web.js';
export { projectKeys } from './query/keys-query.js';
