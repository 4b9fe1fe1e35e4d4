/**
 * `passport-lexoffice migrate`: creates the PostgreSQL tables (or prints their SQL).
 *
 * @internal
 */
import { migratePostgres, postgresMigrationSQL } from '../postgres/migratePostgres'
import { resolvePostgresTables } from '../postgres/postgresTables'
import type { MigrateArgs } from './args'
import { ExitCode, type CommandIO } from './commands'
import { connectPostgres, whereIs } from './openStore'

/**
 * Prints the SQL (`--print-sql`), or runs it on `args.postgresURL` and names the tables; resolves
 * the exit code. Rejects when PostgreSQL cannot be reached or refuses the migration.
 * @internal
 */
export async function migrateCommand(args: MigrateArgs, io: CommandIO): Promise<number> {
  if (args.printSQL || args.postgresURL === undefined) {
    io.stdout.write(postgresMigrationSQL({ tables: args.tables }))
    return ExitCode.OK
  }
  const pool = await connectPostgres(args.postgresURL, 1)
  try {
    await migratePostgres(pool, { tables: args.tables })
  } finally {
    await pool.end()
  }
  const t = resolvePostgresTables(args.tables)
  io.stdout.write(
    `${whereIs({ postgresURL: args.postgresURL })}: tables ${t.tokens.sql}, ${t.locks.sql}, ${t.webhookClaims.sql} are in place\n`,
  )
  return ExitCode.OK
}
