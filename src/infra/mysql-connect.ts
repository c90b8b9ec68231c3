import type { ConnectionOptions } from 'mysql2/promise';

/** mysql2, imported on first use: `--version`, `validate` and commands that never touch MySQL never load it. */
export const loadMysql = (): Promise<typeof import('mysql2/promise')> => import('mysql2/promise');

export interface MysqlEndpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password?: string | undefined;
}

/**
 * The one set of options drctl connects to MySQL/MariaDB with (the mysql.primary kind, the lab's status):
 * exactly the given fields (mysql2 reads no ~/.my.cnf and no MYSQL_* variable), a connect timeout, one
 * statement per query, no LOCAL INFILE, numbers and dates as text. Statements need their own timeout
 * (mysql2 has none by default: a frozen server would hold one forever): pass `timeout` with each query.
 */
export function mysqlConnectionOptions(e: MysqlEndpoint, connectTimeoutMs: number): ConnectionOptions {
  return {
    host: e.host,
    port: e.port,
    user: e.user,
    ...(e.password === undefined ? {} : { password: e.password }),
    connectTimeout: connectTimeoutMs,
    multipleStatements: false,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    flags: ['-LOCAL_FILES'],
    connectAttributes: { program_name: 'drctl' },
  };
}
