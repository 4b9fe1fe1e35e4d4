-- passport-lexoffice 001: the tables of PostgresTokenStore, PostgresLock and
-- PostgresWebhookDedupeStore (import from 'passport-lexoffice/postgres').
--
-- Run it with either of:
--   npx passport-lexoffice migrate --postgres "$DATABASE_URL"      (other table names: --tokens-table ...)
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f node_modules/passport-lexoffice/migrations/postgres/001_create_tables.sql
-- or from code: await migratePostgres(pool). It is idempotent (IF NOT EXISTS), runs in one
-- transaction, and concurrent runs (several instances starting at once) wait for each other.
-- The tables hold no secret in clear text unless the stores are configured with encryption: false.

BEGIN;

-- Serialises concurrent runs (an arbitrary constant, released at COMMIT).
SELECT pg_advisory_xact_lock(7305192718349512417);

-- One row per connection key. version: compare-and-set counter (a write names the version it
-- replaces); data: the record as JSON, or as an AES-256-GCM envelope 'v1.<kid>.<iv>.<ct>' when
-- encrypted; due_at: access-token expiry (ms since the epoch) of active records, NULL otherwise.
CREATE TABLE IF NOT EXISTS lexoffice_tokens (
  key text PRIMARY KEY,
  version bigint NOT NULL CHECK (version > 0),
  data text NOT NULL,
  due_at double precision,
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- listDue(t) reads this index only: WHERE due_at < t ORDER BY due_at.
CREATE INDEX IF NOT EXISTS lexoffice_tokens_due_idx ON lexoffice_tokens (due_at) WHERE due_at IS NOT NULL;

-- Refresh lock leases: a row is held by owner until expires_at (the database's clock).
CREATE TABLE IF NOT EXISTS lexoffice_locks (
  key text PRIMARY KEY,
  owner text NOT NULL,
  expires_at timestamptz NOT NULL
);

-- Webhook deliveries already claimed: one row per event id until expires_at.
CREATE TABLE IF NOT EXISTS lexoffice_webhook_claims (
  event_id text PRIMARY KEY,
  token text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS lexoffice_webhook_claims_expires_idx ON lexoffice_webhook_claims (expires_at);

COMMIT;
