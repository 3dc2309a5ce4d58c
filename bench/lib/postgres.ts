/** Throwaway PostgreSQL databases for the benchmarks: each run creates its own and drops it. */
import type pg from 'pg';

/** The URL of database `name` on the server of `adminUrl`. */
export function databaseUrl(adminUrl: string, name: string): string {
  return Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
}

/**
 * Drops a database once its connections are gone. The server's pool ends its connections
 * asynchronously; DROP … WITH (FORCE) while one is ending makes PostgreSQL send it a FATAL
 * error, which the pool re-emits with nobody listening, and the process dies. So wait (a
 * bounded number of times), and force only as the last resort.
 */
export async function dropDatabase(admin: pg.Client, name: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '55006') throw error; // 55006: object_in_use
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
