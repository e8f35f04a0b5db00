/**
 * SQL-only stand-ins for Supabase extensions that cannot run in WebAssembly (they send HTTP requests, run a
 * scheduler, or link libsodium). Each creates the schemas, types, tables, views and function signatures the
 * real extension creates, as its documentation lists them, so that `create extension`, DDL referring to
 * them and calls made at migration time replay. A call does nothing but return a value of the right type
 * (HTTP calls queue nothing and answer 200, vault keeps secrets unencrypted, JSON schemas accept everything).
 *
 * Packaged like PGlite's own extensions (a control file and a script, shell/extension-bundles.ts), so that
 * `create extension` itself works, in verify and in the embedded push target alike. `@extschema@` is the
 * schema the migration names (`with schema extensions`); stand-ins of extensions that own a schema (net,
 * cron) create it as the real ones do, and those whose control file pins one (vault, pgsodium, graphql) get
 * it from PostgreSQL. A control file without `schema` accepts any `with schema` clause, as Supabase does for
 * pg_net and pg_cron.
 */

export interface StandIn {
  /** The real extension's version the signatures were taken from. */
  version: string
  comment: string
  /** The schema the real control file pins, if any (created by Postgres when missing). */
  schema?: string
  /** Where the signatures come from. */
  docs: string
  sql: string
  /** PGlite contrib builds whose libraries its functions call (loaded with it, never created as extensions). */
  libraries?: readonly string[]
}
/**
 * Supabase Wrappers' foreign data wrappers, as its documentation lists them: each has `<name>_fdw_handler()`,
 * `<name>_fdw_validator(options text[], catalog oid)` and `<name>_fdw_meta()`.
 */
const WRAPPERS = [
  'airtable',
  'auth0',
  'big_query',
  'click_house',
  'cognito',
  'duckdb',
  'firebase',
  'hello_world',
  'iceberg',
  'logflare',
  'mssql',
  'redis',
  's3',
  'stripe',
  'wasm',
]

function wrappersSql(): string {
  const each = WRAPPERS.map(
    (name) => `create function @extschema@.${name}_fdw_handler() returns fdw_handler
  language c strict as '$libdir/file_fdw', 'file_fdw_handler';
create function @extschema@.${name}_fdw_validator(options text[], catalog oid) returns void
  language plpgsql as $$ begin end $$;
create function @extschema@.${name}_fdw_meta() returns table (name text, version text, author text, website text)
  language sql as $$ select '${name}_fdw'::text, '0.5.0'::text, 'Supabase'::text, 'https://github.com/supabase/wrappers'::text $$;`,
  )
  return `
create table @extschema@.wrappers_fdw_stats (
  fdw_name text not null primary key,
  create_times bigint,
  rows_in bigint,
  rows_out bigint,
  bytes_in bigint,
  bytes_out bigint,
  metadata jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
${each.join('\n')}
`
}

export const STAND_INS: Readonly<Record<string, StandIn>> = {
  pg_net: {
    version: '0.14.0',
    comment: 'sbx stand-in for pg_net (async HTTP): requests are queued, never sent',
    docs: 'https://supabase.com/docs/guides/database/extensions/pg_net',
    sql: `
create schema net;
create type net.request_status as enum ('PENDING', 'SUCCESS', 'ERROR');
create type net.http_response as (status_code integer, headers jsonb, body text);
create type net.http_response_result as (status net.request_status, message text, response net.http_response);
create table net.http_request_queue (
  id bigserial,
  method text not null,
  url text not null,
  headers jsonb not null,
  body bytea,
  timeout_milliseconds integer not null
);
create table net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out boolean,
  error_msg text,
  created timestamptz not null default now()
);
create function net.http_get(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds integer default 5000
) returns bigint language sql volatile as $$
  insert into net.http_request_queue (method, url, headers, timeout_milliseconds) values ('GET', $1, $3, $4) returning id
$$;
create function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds integer default 5000
) returns bigint language sql volatile as $$
  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values ('POST', $1, $4, convert_to($2::text, 'utf8'), $5) returning id
$$;
create function net.http_delete(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds integer default 5000,
  body jsonb default null
) returns bigint language sql volatile as $$
  insert into net.http_request_queue (method, url, headers, timeout_milliseconds) values ('DELETE', $1, $3, $4) returning id
$$;
create function net._http_collect_response(request_id bigint, async boolean default true)
returns net.http_response_result language sql volatile as $$
  select row('PENDING', 'request is pending processing', null)::net.http_response_result
$$;
create function net.http_collect_response(request_id bigint, async boolean default true)
returns net.http_response_result language sql volatile as $$ select net._http_collect_response($1, $2) $$;
create function net.worker_restart() returns boolean language sql as $$ select true $$;
`,
  },

  http: {
    version: '1.6',
    comment: 'sbx stand-in for http (pgsql-http): every request answers 200 with an empty JSON object',
    docs: 'https://github.com/pramsey/pgsql-http#functions',
    sql: `
create domain @extschema@.http_method as text
  check (value ilike 'get' or value ilike 'post' or value ilike 'put' or value ilike 'delete' or value ilike 'patch'
    or value ilike 'head');
create domain @extschema@.content_type as text check (value ~ '^\\S+\\/\\S+');
create type @extschema@.http_header as (field varchar, value varchar);
create type @extschema@.http_response as (
  status integer,
  content_type varchar,
  headers @extschema@.http_header[],
  content varchar
);
create type @extschema@.http_request as (
  method @extschema@.http_method,
  uri varchar,
  headers @extschema@.http_header[],
  content_type varchar,
  content varchar
);
create function @extschema@.http_set_curlopt(curlopt varchar, value varchar) returns boolean
  language sql volatile as $$ select true $$;
create function @extschema@.http_reset_curlopt() returns boolean language sql volatile as $$ select true $$;
create function @extschema@.http_list_curlopt() returns table (curlopt text, value text)
  language sql volatile as $$ select null::text, null::text where false $$;
create function @extschema@.http_header(field varchar, value varchar) returns @extschema@.http_header
  language sql immutable as $$ select row($1, $2)::@extschema@.http_header $$;
create function @extschema@.http(request @extschema@.http_request) returns @extschema@.http_response
  language sql volatile as $$
  select row(200, 'application/json', array[]::@extschema@.http_header[], '{}')::@extschema@.http_response
$$;
create function @extschema@.http_get(uri varchar) returns @extschema@.http_response language sql volatile as $$
  select @extschema@.http(row('GET', $1, null, null, null)::@extschema@.http_request)
$$;
create function @extschema@.http_get(uri varchar, data jsonb) returns @extschema@.http_response
  language sql volatile as $$ select @extschema@.http(row('GET', $1, null, null, null)::@extschema@.http_request) $$;
create function @extschema@.http_post(uri varchar, content varchar, content_type varchar)
  returns @extschema@.http_response language sql volatile as $$
  select @extschema@.http(row('POST', $1, null, $3, $2)::@extschema@.http_request)
$$;
create function @extschema@.http_post(uri varchar, data jsonb) returns @extschema@.http_response
  language sql volatile as $$
  select @extschema@.http(row('POST', $1, null, 'application/x-www-form-urlencoded', null)::@extschema@.http_request)
$$;
create function @extschema@.http_put(uri varchar, content varchar, content_type varchar)
  returns @extschema@.http_response language sql volatile as $$
  select @extschema@.http(row('PUT', $1, null, $3, $2)::@extschema@.http_request)
$$;
create function @extschema@.http_patch(uri varchar, content varchar, content_type varchar)
  returns @extschema@.http_response language sql volatile as $$
  select @extschema@.http(row('PATCH', $1, null, $3, $2)::@extschema@.http_request)
$$;
create function @extschema@.http_delete(uri varchar) returns @extschema@.http_response language sql volatile as $$
  select @extschema@.http(row('DELETE', $1, null, null, null)::@extschema@.http_request)
$$;
create function @extschema@.http_delete(uri varchar, content varchar, content_type varchar)
  returns @extschema@.http_response language sql volatile as $$
  select @extschema@.http(row('DELETE', $1, null, $3, $2)::@extschema@.http_request)
$$;
create function @extschema@.http_head(uri varchar) returns @extschema@.http_response language sql volatile as $$
  select @extschema@.http(row('HEAD', $1, null, null, null)::@extschema@.http_request)
$$;
create function @extschema@.urlencode(string varchar) returns text language sql immutable strict as $$
  select replace(replace($1, '%', '%25'), ' ', '%20')
$$;
create function @extschema@.urlencode(string bytea) returns text language sql immutable strict as $$
  select encode($1, 'escape')
$$;
create function @extschema@.urlencode(data jsonb) returns text language sql immutable strict as $$
  select string_agg(key || '=' || value, '&') from jsonb_each_text($1)
$$;
create function @extschema@.text_to_bytea(data text) returns bytea language sql immutable strict as $$
  select convert_to($1, 'utf8')
$$;
create function @extschema@.bytea_to_text(data bytea) returns text language sql immutable strict as $$
  select convert_from($1, 'utf8')
$$;
`,
  },

  pg_cron: {
    version: '1.6',
    comment: 'sbx stand-in for pg_cron: jobs are recorded in cron.job, never run',
    docs: 'https://github.com/citusdata/pg_cron#usage',
    sql: `
create schema cron;
create sequence cron.jobid_seq;
create table cron.job (
  jobid bigint primary key default nextval('cron.jobid_seq'),
  schedule text not null,
  command text not null,
  nodename text not null default 'localhost',
  nodeport integer not null default 5432,
  database text not null default current_database(),
  username text not null default current_user,
  active boolean not null default true,
  jobname text,
  constraint jobname_username_uniq unique (jobname, username)
);
create sequence cron.runid_seq;
create table cron.job_run_details (
  jobid bigint,
  runid bigint primary key default nextval('cron.runid_seq'),
  job_pid integer,
  database text,
  username text,
  command text,
  status text,
  return_message text,
  start_time timestamptz,
  end_time timestamptz
);
create function cron.schedule(schedule text, command text) returns bigint language sql volatile as $$
  insert into cron.job (schedule, command) values ($1, $2) returning jobid
$$;
create function cron.schedule(job_name text, schedule text, command text) returns bigint language sql volatile as $$
  insert into cron.job (jobname, schedule, command) values ($1, $2, $3)
  on conflict (jobname, username) do update set schedule = excluded.schedule, command = excluded.command
  returning jobid
$$;
create function cron.schedule_in_database(
  job_name text,
  schedule text,
  command text,
  database text,
  username text default null,
  active boolean default true
) returns bigint language sql volatile as $$
  insert into cron.job (jobname, schedule, command, database, username, active)
  values ($1, $2, $3, $4, coalesce($5, current_user), $6)
  on conflict (jobname, username) do update set schedule = excluded.schedule, command = excluded.command
  returning jobid
$$;
create function cron.unschedule(job_id bigint) returns boolean language sql volatile as $$
  with gone as (delete from cron.job where jobid = $1 returning 1) select count(*) > 0 from gone
$$;
create function cron.unschedule(job_name text) returns boolean language sql volatile as $$
  with gone as (delete from cron.job where jobname = $1 and username = current_user returning 1)
  select count(*) > 0 from gone
$$;
create function cron.alter_job(
  job_id bigint,
  schedule text default null,
  command text default null,
  database text default null,
  username text default null,
  active boolean default null
) returns void language sql volatile as $$
  update cron.job set schedule = coalesce($2, schedule), command = coalesce($3, command),
    database = coalesce($4, database), username = coalesce($5, username), active = coalesce($6, active)
  where jobid = $1
$$;
`,
  },

  supabase_vault: {
    version: '0.3.1',
    comment: 'sbx stand-in for Supabase Vault: secrets are stored unencrypted',
    schema: 'vault',
    docs: 'https://supabase.com/docs/guides/database/vault',
    sql: `
create table vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea,
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp
);
create unique index secrets_name_idx on vault.secrets (name) where name is not null;
create view vault.decrypted_secrets as
  select id, name, description, secret, secret as decrypted_secret, key_id, nonce, created_at, updated_at
  from vault.secrets;
create function vault.create_secret(
  new_secret text,
  new_name text default null,
  new_description text default '',
  new_key_id uuid default null
) returns uuid language sql volatile as $$
  insert into vault.secrets (secret, name, description, key_id) values ($1, $2, coalesce($3, ''), $4) returning id
$$;
create function vault.update_secret(
  secret_id uuid,
  new_secret text default null,
  new_name text default null,
  new_description text default null,
  new_key_id uuid default null
) returns void language sql volatile as $$
  update vault.secrets set secret = coalesce($2, secret), name = coalesce($3, name),
    description = coalesce($4, description), key_id = coalesce($5, key_id), updated_at = now()
  where id = $1
$$;
`,
  },

  pgsodium: {
    version: '3.1.8',
    comment: 'sbx stand-in for pgsodium: nothing is encrypted, keys are zeros',
    schema: 'pgsodium',
    docs: 'https://github.com/michelp/pgsodium#api-reference',
    sql: `
do $$
begin
  if not exists (select from pg_roles where rolname = 'pgsodium_keyiduser') then create role pgsodium_keyiduser; end if;
  if not exists (select from pg_roles where rolname = 'pgsodium_keyholder') then create role pgsodium_keyholder; end if;
  if not exists (select from pg_roles where rolname = 'pgsodium_keymaker') then create role pgsodium_keymaker; end if;
end
$$;
create type pgsodium.key_status as enum ('default', 'valid', 'invalid', 'expired');
create type pgsodium.key_type as enum (
  'aead-ietf', 'aead-det', 'hmacsha512', 'hmacsha256', 'auth', 'shorthash', 'generichash', 'kdf', 'secretbox',
  'secretstream', 'stream_xchacha20'
);
create type pgsodium.crypto_box_keypair as (public bytea, secret bytea);
create type pgsodium.crypto_sign_keypair as (public bytea, secret bytea);
create type pgsodium.crypto_kx_keypair as (public bytea, secret bytea);
create table pgsodium.key (
  id uuid primary key default gen_random_uuid(),
  status pgsodium.key_status default 'valid',
  created timestamptz not null default current_timestamp,
  expires timestamptz,
  key_type pgsodium.key_type,
  key_id bigserial,
  key_context bytea default 'pgsodium',
  name text unique,
  associated_data text default 'associated',
  raw_key bytea,
  raw_key_nonce bytea,
  parent_key uuid references pgsodium.key (id),
  comment text,
  user_data text
);
create view pgsodium.valid_key as
  select id, name, status, key_type, key_id, key_context, created, expires, associated_data
  from pgsodium.key
  where status in ('valid', 'default') and (expires is null or expires > now());
create function pgsodium.randombytes_random() returns integer language sql volatile as $$ select 4 $$;
create function pgsodium.randombytes_uniform(upper_bound integer) returns integer language sql volatile as $$
  select 0
$$;
create function pgsodium.randombytes_buf(size integer) returns bytea language sql volatile as $$
  select decode(repeat('00', $1), 'hex')
$$;
create function pgsodium.crypto_secretbox_keygen() returns bytea language sql volatile as $$
  select pgsodium.randombytes_buf(32)
$$;
create function pgsodium.crypto_secretbox_noncegen() returns bytea language sql volatile as $$
  select pgsodium.randombytes_buf(24)
$$;
create function pgsodium.crypto_secretbox(message bytea, nonce bytea, key bytea) returns bytea
  language sql immutable as $$ select $1 $$;
create function pgsodium.crypto_secretbox_open(ciphertext bytea, nonce bytea, key bytea) returns bytea
  language sql immutable as $$ select $1 $$;
create function pgsodium.crypto_aead_det_keygen() returns bytea language sql volatile as $$
  select pgsodium.randombytes_buf(32)
$$;
create function pgsodium.crypto_aead_det_noncegen() returns bytea language sql volatile as $$
  select pgsodium.randombytes_buf(16)
$$;
create function pgsodium.crypto_aead_det_encrypt(message bytea, additional bytea, key bytea, nonce bytea default null)
  returns bytea language sql immutable as $$ select $1 $$;
create function pgsodium.crypto_aead_det_encrypt(message bytea, additional bytea, key_uuid uuid, nonce bytea default null)
  returns bytea language sql stable as $$ select $1 $$;
create function pgsodium.crypto_aead_det_decrypt(ciphertext bytea, additional bytea, key bytea, nonce bytea default null)
  returns bytea language sql immutable as $$ select $1 $$;
create function pgsodium.crypto_aead_det_decrypt(message bytea, additional bytea, key_uuid uuid, nonce bytea default null)
  returns bytea language sql stable as $$ select $1 $$;
create function pgsodium.crypto_box_new_keypair() returns pgsodium.crypto_box_keypair language sql volatile as $$
  select row(pgsodium.randombytes_buf(32), pgsodium.randombytes_buf(32))::pgsodium.crypto_box_keypair
$$;
create function pgsodium.crypto_sign_new_keypair() returns pgsodium.crypto_sign_keypair language sql volatile as $$
  select row(pgsodium.randombytes_buf(32), pgsodium.randombytes_buf(64))::pgsodium.crypto_sign_keypair
$$;
create function pgsodium.crypto_sign(message bytea, key bytea) returns bytea language sql immutable as $$
  select $1
$$;
create function pgsodium.crypto_sign_open(signed_message bytea, key bytea) returns bytea language sql immutable as $$
  select $1
$$;
create function pgsodium.crypto_generichash(message bytea, key bytea default null) returns bytea
  language sql immutable as $$ select sha256($1) $$;
create function pgsodium.crypto_hash_sha256(message bytea) returns bytea language sql immutable as $$
  select sha256($1)
$$;
create function pgsodium.crypto_hash_sha512(message bytea) returns bytea language sql immutable as $$
  select sha512($1)
$$;
create function pgsodium.create_key(
  key_type pgsodium.key_type default 'aead-det',
  name text default null,
  raw_key bytea default null,
  raw_key_nonce bytea default null,
  parent_key uuid default null,
  key_context bytea default 'pgsodium',
  expires timestamptz default null,
  associated_data text default ''
) returns pgsodium.valid_key language sql volatile as $$
  with created as (
    insert into pgsodium.key (key_type, name, raw_key, raw_key_nonce, parent_key, key_context, expires, associated_data)
    values ($1, $2, $3, $4, $5, $6, $7, $8)
    returning *
  )
  select id, name, status, key_type, key_id, key_context, created, expires, associated_data from created
$$;
`,
  },

  pg_graphql: {
    version: '1.5.11',
    comment: 'sbx stand-in for pg_graphql: resolve() answers {"data": null}',
    schema: 'graphql',
    docs: 'https://supabase.github.io/pg_graphql/api/',
    sql: `
create function graphql.resolve(
  query text,
  variables jsonb default '{}'::jsonb,
  "operationName" text default null,
  extensions jsonb default null
) returns jsonb language sql volatile as $$ select '{"data": null}'::jsonb $$;
create function graphql.comment_directive(comment_ text) returns jsonb language sql immutable as $$
  select coalesce(substring($1 from '@graphql\\((.*)\\)')::jsonb, '{}'::jsonb)
$$;
create function graphql.exception(message text) returns text language plpgsql as $$
begin
  raise exception using errcode = '22000', message = message;
end
$$;
create function graphql.get_schema_version() returns integer language sql volatile as $$ select 1 $$;
`,
  },

  pgjwt: {
    version: '0.2.0',
    comment: 'sbx stand-in for pgjwt: tokens are signed with SHA-256 of secret and content, not an HMAC',
    docs: 'https://github.com/michelp/pgjwt#usage',
    sql: `
create function @extschema@.url_encode(data bytea) returns text language sql immutable as $$
  select translate(encode($1, 'base64'), E'+/=\\n', '-_')
$$;
create function @extschema@.url_decode(data text) returns bytea language sql immutable as $$
  with t as (select translate($1, '-_', '+/') as trans),
    rem as (select length(t.trans) % 4 as remainder from t)
  select decode(t.trans || case when rem.remainder > 0 then repeat('=', 4 - rem.remainder) else '' end, 'base64')
  from t, rem
$$;
create function @extschema@.algorithm_sign(signables text, secret text, algorithm text) returns text
  language sql immutable as $$
  select @extschema@.url_encode(sha256(convert_to($3 || $2 || $1, 'utf8')))
$$;
create function @extschema@.sign(payload json, secret text, algorithm text default 'HS256') returns text
  language sql immutable as $$
  with signables as (
    select @extschema@.url_encode(convert_to('{"alg":"' || $3 || '","typ":"JWT"}', 'utf8')) || '.' ||
      @extschema@.url_encode(convert_to($1::text, 'utf8')) as data
  )
  select data || '.' || @extschema@.algorithm_sign(data, $2, $3) from signables
$$;
create function @extschema@.try_cast_double(inp text) returns double precision language plpgsql immutable as $$
begin
  begin
    return inp::double precision;
  exception when others then
    return null;
  end;
end
$$;
create function @extschema@.verify(token text, secret text, algorithm text default 'HS256')
  returns table (header json, payload json, valid boolean) language sql immutable as $$
  select convert_from(@extschema@.url_decode(part[1]), 'utf8')::json,
    convert_from(@extschema@.url_decode(part[2]), 'utf8')::json,
    part[3] = @extschema@.algorithm_sign(part[1] || '.' || part[2], $2, $3)
  from (select regexp_split_to_array($1, '\\.') as part) parts
$$;
`,
  },

  pgmq: {
    version: '1.4.4',
    comment: 'sbx stand-in for pgmq: queues are real tables in schema pgmq, as in pgmq itself',
    docs: 'https://github.com/pgmq/pgmq/blob/main/docs/api/sql/functions.md',
    // As pgmq's control file: schema pgmq, created when missing (`with schema extensions` is refused).
    schema: 'pgmq',
    // Written from pgmq's documented API: its types, table layout (pgmq.q_<queue>, pgmq.a_<queue>, pgmq.meta) and
    // functions, which work (send, read, pop, archive, delete, set_vt). Partitioned queues (pg_partman) are plain.
    sql: `
create type pgmq.message_record as (msg_id bigint, read_ct integer, enqueued_at timestamptz, vt timestamptz, message jsonb);
create type pgmq.queue_record as (queue_name varchar, is_partitioned boolean, is_unlogged boolean, created_at timestamptz);
create type pgmq.metrics_result as (
  queue_name text, queue_length bigint, newest_msg_age_sec integer, oldest_msg_age_sec integer, total_messages bigint,
  scrape_time timestamptz
);
create table pgmq.meta (
  queue_name varchar unique not null,
  is_partitioned boolean not null,
  is_unlogged boolean not null,
  created_at timestamptz not null default now()
);
create function pgmq.format_table_name(queue_name text, prefix text) returns text language plpgsql immutable as $$
begin
  if queue_name ~ '[$;]|--' then
    raise exception 'queue name contains invalid characters: $, ; or --';
  end if;
  return lower(prefix || '_' || queue_name);
end
$$;
create function pgmq.validate_queue_name(queue_name text) returns void language plpgsql as $$
begin
  if length(queue_name) >= 48 then
    raise exception 'queue name is too long, maximum length is 48 characters';
  end if;
end
$$;
create function pgmq._create(queue_name text, unlogged boolean, partitioned boolean) returns void language plpgsql as $$
declare
  qtable text := pgmq.format_table_name(queue_name, 'q');
  atable text := pgmq.format_table_name(queue_name, 'a');
begin
  perform pgmq.validate_queue_name(queue_name);
  execute format('create %s table if not exists pgmq.%I (msg_id bigint primary key generated always as identity,
    read_ct integer not null default 0, enqueued_at timestamptz not null default now(), vt timestamptz not null,
    message jsonb)', case when unlogged then 'unlogged' else '' end, qtable);
  execute format('create table if not exists pgmq.%I (msg_id bigint primary key, read_ct integer not null default 0,
    enqueued_at timestamptz not null default now(), archived_at timestamptz not null default now(),
    vt timestamptz not null, message jsonb)', atable);
  execute format('create index if not exists %I on pgmq.%I (vt asc)', qtable || '_vt_idx', qtable);
  execute format('create index if not exists %I on pgmq.%I (archived_at)', 'archived_at_idx_' || queue_name, atable);
  insert into pgmq.meta (queue_name, is_partitioned, is_unlogged) values (queue_name, partitioned, unlogged)
    on conflict do nothing;
end
$$;
create function pgmq."create"(queue_name text) returns void language sql as $$ select pgmq._create($1, false, false) $$;
create function pgmq.create_non_partitioned(queue_name text) returns void language sql as $$
  select pgmq._create($1, false, false)
$$;
create function pgmq.create_unlogged(queue_name text) returns void language sql as $$ select pgmq._create($1, true, false) $$;
create function pgmq.create_partitioned(
  queue_name text, partition_interval text default '10000', retention_interval text default '100000'
) returns void language sql as $$ select pgmq._create($1, false, true) $$;
create function pgmq.drop_queue(queue_name text) returns boolean language plpgsql as $$
begin
  execute format('drop table if exists pgmq.%I', pgmq.format_table_name(queue_name, 'q'));
  execute format('drop table if exists pgmq.%I', pgmq.format_table_name(queue_name, 'a'));
  delete from pgmq.meta m where m.queue_name = drop_queue.queue_name;
  return true;
end
$$;
create function pgmq.purge_queue(queue_name text) returns bigint language plpgsql as $$
declare
  deleted bigint;
begin
  execute format('with d as (delete from pgmq.%I returning 1) select count(*) from d', pgmq.format_table_name(queue_name, 'q'))
    into deleted;
  return deleted;
end
$$;
create function pgmq.send(queue_name text, msg jsonb, delay integer default 0) returns setof bigint language plpgsql as $$
begin
  return query execute format('insert into pgmq.%I (vt, message) values (now() + make_interval(secs => $1), $2)
    returning msg_id', pgmq.format_table_name(queue_name, 'q')) using delay, msg;
end
$$;
create function pgmq.send_batch(queue_name text, msgs jsonb[], delay integer default 0) returns setof bigint
  language plpgsql as $$
begin
  return query execute format('insert into pgmq.%I (vt, message) select now() + make_interval(secs => $1), unnest($2)
    returning msg_id', pgmq.format_table_name(queue_name, 'q')) using delay, msgs;
end
$$;
create function pgmq.read(queue_name text, vt integer, qty integer) returns setof pgmq.message_record
  language plpgsql as $$
begin
  return query execute format('with cte as (select msg_id from pgmq.%1$I where vt <= clock_timestamp()
      order by msg_id limit $1 for update skip locked)
    update pgmq.%1$I m set vt = clock_timestamp() + make_interval(secs => $2), read_ct = m.read_ct + 1
    from cte where m.msg_id = cte.msg_id returning m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message',
    pgmq.format_table_name(queue_name, 'q')) using qty, vt;
end
$$;
create function pgmq.read_with_poll(
  queue_name text, vt integer, qty integer, max_poll_seconds integer default 5, poll_interval_ms integer default 100
) returns setof pgmq.message_record language sql as $$ select * from pgmq.read($1, $2, $3) $$;
create function pgmq.pop(queue_name text) returns setof pgmq.message_record language plpgsql as $$
begin
  return query execute format('with cte as (select msg_id from pgmq.%1$I where vt <= clock_timestamp()
      order by msg_id limit 1 for update skip locked)
    delete from pgmq.%1$I m using cte where m.msg_id = cte.msg_id
    returning m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message', pgmq.format_table_name(queue_name, 'q'));
end
$$;
create function pgmq.set_vt(queue_name text, msg_id bigint, vt integer) returns setof pgmq.message_record
  language plpgsql as $$
begin
  return query execute format('update pgmq.%I m set vt = clock_timestamp() + make_interval(secs => $1)
    where m.msg_id = $2 returning m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message',
    pgmq.format_table_name(queue_name, 'q')) using vt, msg_id;
end
$$;
create function pgmq.delete(queue_name text, msg_ids bigint[]) returns setof bigint language plpgsql as $$
begin
  return query execute format('delete from pgmq.%I where msg_id = any($1) returning msg_id',
    pgmq.format_table_name(queue_name, 'q')) using msg_ids;
end
$$;
create function pgmq.delete(queue_name text, msg_id bigint) returns boolean language sql as $$
  select exists (select from pgmq.delete($1, array[$2]))
$$;
create function pgmq.archive(queue_name text, msg_ids bigint[]) returns setof bigint language plpgsql as $$
begin
  return query execute format('with archived as (delete from pgmq.%I where msg_id = any($1)
      returning msg_id, vt, read_ct, enqueued_at, message)
    insert into pgmq.%I (msg_id, vt, read_ct, enqueued_at, message)
    select msg_id, vt, read_ct, enqueued_at, message from archived returning msg_id',
    pgmq.format_table_name(queue_name, 'q'), pgmq.format_table_name(queue_name, 'a')) using msg_ids;
end
$$;
create function pgmq.archive(queue_name text, msg_id bigint) returns boolean language sql as $$
  select exists (select from pgmq.archive($1, array[$2]))
$$;
create function pgmq.list_queues() returns setof pgmq.queue_record language sql as $$
  select queue_name, is_partitioned, is_unlogged, created_at from pgmq.meta
$$;
create function pgmq.metrics(queue_name text) returns pgmq.metrics_result language plpgsql as $$
declare
  result pgmq.metrics_result;
begin
  execute format('select %L::text, count(*), extract(epoch from now() - max(enqueued_at))::int,
      extract(epoch from now() - min(enqueued_at))::int, coalesce(max(msg_id), 0), now() from pgmq.%I',
    queue_name, pgmq.format_table_name(queue_name, 'q')) into result;
  return result;
end
$$;
create function pgmq.metrics_all() returns setof pgmq.metrics_result language sql as $$
  select (pgmq.metrics(queue_name)).* from pgmq.meta
$$;
`,
  },

  wrappers: {
    version: '0.5.0',
    comment:
      'sbx stand-in for Supabase Wrappers: handlers and validators, so wrappers, servers and foreign tables replay',
    docs: 'https://supabase.github.io/wrappers/',
    // A handler must be a C function returning fdw_handler: file_fdw's stands in (no DDL calls it); a foreign
    // table's options are not validated, and reading one fails.
    libraries: ['file_fdw'],
    sql: wrappersSql(),
  },

  pg_jsonschema: {
    version: '0.3.3',
    comment: 'sbx stand-in for pg_jsonschema: every document matches every schema',
    docs: 'https://supabase.com/docs/guides/database/extensions/pg_jsonschema',
    sql: `
create function @extschema@.json_matches_schema(schema json, instance json) returns boolean
  language sql immutable strict parallel safe as $$ select true $$;
create function @extschema@.jsonb_matches_schema(schema json, instance jsonb) returns boolean
  language sql immutable strict parallel safe as $$ select true $$;
create function @extschema@.jsonschema_is_valid(schema json) returns boolean
  language sql immutable strict parallel safe as $$ select true $$;
create function @extschema@.jsonschema_validation_errors(schema json, instance json) returns text[]
  language sql immutable strict parallel safe as $$ select array[]::text[] $$;
`,
  },
}

/** The control file PostgreSQL reads for `create extension <name>`. */
export function standInControl(standIn: StandIn): string {
  const lines = [
    `comment = '${standIn.comment.replaceAll("'", "''")}'`,
    `default_version = '${standIn.version}'`,
    'relocatable = false',
    'trusted = true',
  ]
  if (standIn.schema) lines.push(`schema = ${standIn.schema}`)
  return `${lines.join('\n')}\n`
}

const EXTENSION_DIR = 'share/postgresql/extension'

/** The files of a stand-in's bundle, paths as in PGlite's own extension bundles; `versions` as in versionAliases. */
export function standInFiles(
  name: string,
  standIn: StandIn,
  versions: readonly string[] = [],
): Array<{name: string; text: string}> {
  return [
    {name: `${EXTENSION_DIR}/${name}.control`, text: standInControl(standIn)},
    {name: `${EXTENSION_DIR}/${name}--${standIn.version}.sql`, text: standIn.sql},
    ...versionAliases(name, standIn.version, versions),
  ]
}

/**
 * Migrations written by `supabase db diff` pin versions (`create extension … version '0.8.0'`) that the
 * embedded database does not have. For each, an empty update script from the version it has makes
 * PostgreSQL install that one and record it under the pinned number: the objects are those of `from`.
 */
export function versionAliases(
  name: string,
  from: string,
  versions: readonly string[],
): Array<{name: string; text: string}> {
  return versions
    .filter((version) => version !== from)
    .map((version) => ({
      name: `${EXTENSION_DIR}/${name}--${from}--${version}.sql`,
      text: `-- sbx: ${name} ${version} is replayed as ${from}, the version the embedded database has.\n`,
    }))
}
