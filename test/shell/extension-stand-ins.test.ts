/**
 * One test per stand-in: a migration that uses the extension the way its documentation shows (the URL in each
 * stand-in's `docs`) replays on the embedded database with only that stand-in loaded, and its calls return
 * values of the documented types.
 */
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it, onTestFinished} from 'vitest'
import {STAND_INS} from '../../src/core/extensions/extension-stand-ins.js'
import {freshDatabaseFromBaseline} from '../../src/shell/embedded/embedded-db.js'

const env = {...process.env, SBX_CACHE_DIR: process.env.SBX_CACHE_DIR ?? path.join(os.tmpdir(), 'sbx-test-cache')}

async function withStandIn(name: string, migration: string) {
  const database = await freshDatabaseFromBaseline({env, extensions: [name]})
  onTestFinished(() => database.close())
  await database.db.exec(migration)
  return database.db
}

describe('stand-ins replay migrations written as their documentation shows', () => {
  it('pg_net: http_get, http_post with named arguments, http_delete, from a trigger function', async () => {
    const db = await withStandIn(
      'pg_net',
      `
create extension if not exists pg_net with schema extensions;
select net.http_get('https://postman-echo.com/get?foo1=bar1&foo2=bar2') as request_id;
select net.http_post(url := 'https://httpbin.org/post', body := '{"hello": "world"}'::jsonb) as request_id;
select net.http_post(
  url := 'https://example.supabase.co/functions/v1/hook',
  headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer x'),
  body := jsonb_build_object('id', 1),
  timeout_milliseconds := 1000
);
select net.http_delete('https://dummyjson.com/products/1') as request_id;
select * from net._http_response;
create table events (id bigint generated always as identity primary key, payload jsonb);
create function notify_event() returns trigger language plpgsql as $$
begin
  perform net.http_post(url := 'https://example.com/hook', body := to_jsonb(new));
  return new;
end
$$;
create trigger on_event after insert on events for each row execute function notify_event();
insert into events (payload) values ('{"a": 1}');
`,
    )
    const ids = await db.query<{id: number}>(`select net.http_get('https://x') as id`)
    expect(typeof ids.rows[0]?.id).toBe('number')
    const queued = await db.query<{n: number}>('select count(*)::int as n from net.http_request_queue')
    expect(queued.rows[0]?.n).toBe(6)
    expect(
      (await db.query(`select to_regprocedure('net.http_post(text,jsonb,jsonb,jsonb,integer)') is not null as ok`))
        .rows,
    ).toEqual([{ok: true}])
  })

  it('http: http_get(...).status, http_post forms, http() with headers, urlencode', async () => {
    const db = await withStandIn(
      'http',
      `
create extension if not exists http with schema extensions;
select status, content_type, content::json from extensions.http_get('https://httpbin.org/ip');
select status from http_post('http://httpbin.org/post', 'myvarname=myvarvalue', 'application/x-www-form-urlencoded');
select status from http_post('http://httpbin.org/post', jsonb_build_object('myvar', 'myval', 'foo', 'bar'));
select status from http_put('http://httpbin.org/put', 'some text', 'text/plain');
select status from http_patch('http://httpbin.org/patch', '{"a": 1}', 'application/json');
select status from http_delete('http://httpbin.org/delete');
select status from http_head('http://httpbin.org/');
select status from http(('GET', 'http://httpbin.org/headers', array[http_header('Authorization', 'Bearer x')], null, null)::http_request);
select urlencode('my special string''s & things?');
select urlencode(jsonb_build_object('name', 'Colin & James', 'rate', '50%'));
select http_set_curlopt('CURLOPT_TIMEOUT', '5');
select http_reset_curlopt();
create function ping(url text) returns integer language plpgsql as $$
begin
  return (extensions.http_get(url)).status;
end
$$;
`,
    )
    expect((await db.query('select ping($1) as status', ['https://example.com'])).rows).toEqual([{status: 200}])
  })

  it('pg_cron: schedule with and without a name, reschedule by name, unschedule, alter_job, cron.job', async () => {
    const db = await withStandIn(
      'pg_cron',
      `
create extension if not exists pg_cron with schema pg_catalog;
grant usage on schema cron to postgres;
grant all privileges on all tables in schema cron to postgres;
select cron.schedule('30 3 * * 6', $$delete from events where event_time < now() - interval '1 week'$$);
select cron.schedule('nightly-vacuum', '0 10 * * *', 'VACUUM');
select cron.schedule('nightly-vacuum', '0 3 * * *', 'VACUUM');
select cron.schedule('invoke-function', '*/5 * * * *', $$select net.http_post(url := 'https://x')$$);
select cron.unschedule('invoke-function');
select cron.alter_job(job_id := 1, active := false);
select cron.schedule_in_database('weekly', '0 0 * * 0', 'select 1', 'postgres');
select jobid, jobname, schedule from cron.job;
select * from cron.job_run_details order by start_time desc limit 5;
`,
    )
    const jobs = await db.query<{jobname: string | null; schedule: string; active: boolean}>(
      'select jobname, schedule, active from cron.job order by jobid',
    )
    expect(jobs.rows).toEqual([
      {jobname: null, schedule: '30 3 * * 6', active: false},
      {jobname: 'nightly-vacuum', schedule: '0 3 * * *', active: true},
      {jobname: 'weekly', schedule: '0 0 * * 0', active: true},
    ])
  })

  it('supabase_vault: there from the start; create_secret, decrypted_secrets, update_secret', async () => {
    const db = await withStandIn(
      'supabase_vault',
      `
create extension if not exists supabase_vault with schema vault;
select vault.create_secret('my_s3kre3t');
select vault.create_secret('another_s3kre3t', 'unique_name', 'This is the description');
do $$
declare id uuid;
begin
  select s.id into id from vault.decrypted_secrets s where s.name = 'unique_name';
  perform vault.update_secret(id, 'new_s3kre3t_value', 'updated_unique_name', 'This is the updated description');
end
$$;
select decrypted_secret from vault.decrypted_secrets where name = 'updated_unique_name';
`,
    )
    const secrets = await db.query(
      'select name, decrypted_secret, description from vault.decrypted_secrets order by name nulls first',
    )
    expect(secrets.rows).toEqual([
      {name: null, decrypted_secret: 'my_s3kre3t', description: ''},
      {
        name: 'updated_unique_name',
        decrypted_secret: 'new_s3kre3t_value',
        description: 'This is the updated description',
      },
    ])
  })

  it('pgsodium: key pairs, secretbox, create_key, deterministic AEAD with a key id, grants to its roles', async () => {
    const db = await withStandIn(
      'pgsodium',
      `
create extension if not exists pgsodium;
select * from pgsodium.crypto_box_new_keypair();
select pgsodium.crypto_secretbox('bob is your uncle', pgsodium.crypto_secretbox_noncegen(), pgsodium.crypto_secretbox_keygen());
select * from pgsodium.create_key();
select id, name from pgsodium.create_key(name := 'my key');
select pgsodium.crypto_aead_det_encrypt(
  convert_to('hello', 'utf8'), convert_to('associated', 'utf8'), (select id from pgsodium.valid_key where name = 'my key')
);
select pgsodium.randombytes_buf(10);
grant execute on function pgsodium.crypto_aead_det_encrypt(bytea, bytea, uuid, bytea) to pgsodium_keyiduser;
`,
    )
    const keys = await db.query<{n: number}>('select count(*)::int as n from pgsodium.valid_key')
    expect(keys.rows[0]?.n).toBe(2)
  })

  it('pg_graphql: comment directives on schema and table, graphql.resolve', async () => {
    const db = await withStandIn(
      'pg_graphql',
      `
create extension if not exists pg_graphql;
comment on schema public is e'@graphql({"inflect_names": true})';
create table account (id serial primary key, email varchar(255) not null);
comment on table account is e'@graphql({"totalCount": {"enabled": true}})';
grant usage on schema graphql to anon, authenticated;
select graphql.resolve($$ query { accountCollection { edges { node { id } } } } $$);
`,
    )
    const result = await db.query('select graphql.resolve($1, $2) as r', ['query { a }', {}])
    expect(result.rows).toEqual([{r: {data: null}}])
  })

  it('pgjwt: sign, then verify the token it signed', async () => {
    const db = await withStandIn(
      'pgjwt',
      `
create extension if not exists pgjwt with schema extensions;
select extensions.sign('{"sub":"1234567890","name":"John Doe","admin":true}', 'secret', 'HS256');
select sign(json_build_object('sub', 'x', 'exp', 1), 'secret');
`,
    )
    const result = await db.query<{payload: unknown; valid: boolean}>(
      `select payload, valid from extensions.verify(extensions.sign('{"sub":"a"}', 'secret'), 'secret')`,
    )
    expect(result.rows).toEqual([{payload: {sub: 'a'}, valid: true}])
  })

  it('pg_jsonschema: json_matches_schema in a check constraint, jsonb_matches_schema, is_valid', async () => {
    const db = await withStandIn(
      'pg_jsonschema',
      `
create extension if not exists pg_jsonschema with schema extensions;
create table customer (
  id serial primary key,
  metadata json,
  check (json_matches_schema(
    '{"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string", "maxLength": 16}}}}',
    metadata
  ))
);
insert into customer (metadata) values ('{"tags": ["vip", "darkmode-ui"]}');
create table events (id serial primary key, data jsonb check (jsonb_matches_schema('{"type": "object"}', data)));
select jsonschema_is_valid('{"type": "object"}'), jsonschema_validation_errors('{"type": "object"}', '{}');
`,
    )
    const result = await db.query(`select jsonb_matches_schema('{"type": "object"}', '{}'::jsonb) as ok`)
    expect(result.rows).toEqual([{ok: true}])
  })

  it('pgmq: create a queue, send, read with a visibility timeout, set_vt, archive, pop, delete, metrics', async () => {
    const db = await withStandIn(
      'pgmq',
      `
create extension if not exists pgmq;
select pgmq.create('jobs');
select pgmq.create_unlogged('fast');
select * from pgmq.send('jobs', '{"task": "embed"}'::jsonb);
select * from pgmq.send_batch('jobs', array['{"n": 1}', '{"n": 2}']::jsonb[], 0);
create function public.set_vt_batch(queue text, ids bigint[], vt integer) returns setof pgmq.message_record
  language sql as $$ select r.* from unnest(ids) as id, pgmq.set_vt(queue, id, vt) as r $$;
`,
    )
    const read = await db.query<{msg_id: number; read_ct: number; message: unknown}>(
      `select msg_id, read_ct, message from pgmq.read('jobs', 30, 2)`,
    )
    expect(read.rows).toEqual([
      {msg_id: 1, read_ct: 1, message: {task: 'embed'}},
      {msg_id: 2, read_ct: 1, message: {n: 1}},
    ])
    // Invisible for 30 s: the next read gets only the third message.
    expect((await db.query(`select msg_id from pgmq.read('jobs', 30, 5)`)).rows).toEqual([{msg_id: 3}])
    expect((await db.query(`select msg_id from public.set_vt_batch('jobs', array[1, 2], 0)`)).rows).toHaveLength(2)
    expect((await db.query(`select pgmq.archive('jobs', 1::bigint) as ok`)).rows).toEqual([{ok: true}])
    expect((await db.query(`select msg_id from pgmq.pop('jobs')`)).rows).toEqual([{msg_id: 2}])
    expect((await db.query(`select pgmq.delete('jobs', 3::bigint) as ok`)).rows).toEqual([{ok: true}])
    expect((await db.query(`select count(*)::int as n from pgmq.a_jobs`)).rows).toEqual([{n: 1}])
    expect((await db.query(`select queue_name from pgmq.list_queues() order by 1`)).rows).toEqual([
      {queue_name: 'fast'},
      {queue_name: 'jobs'},
    ])
    expect((await db.query(`select queue_length::int as n from pgmq.metrics('jobs')`)).rows).toEqual([{n: 0}])
  })

  it('wrappers: a Stripe wrapper, its server, foreign tables in a private schema; IMPORT FOREIGN SCHEMA fails', async () => {
    const db = await withStandIn(
      'wrappers',
      `
create extension if not exists wrappers with schema extensions;
create foreign data wrapper stripe_wrapper handler stripe_fdw_handler validator stripe_fdw_validator;
create server stripe_server foreign data wrapper stripe_wrapper
  options (api_key_id '00000000-0000-0000-0000-000000000000', api_url 'https://api.stripe.com/v1');
create schema stripe;
create foreign table stripe.customers (id text, email text, name text, created timestamp, attrs jsonb)
  server stripe_server options (object 'customers', rowid_column 'id');
import foreign schema stripe limit to ("products") from server stripe_server into stripe;
`,
    ).catch((error: Error) => error)
    // IMPORT FOREIGN SCHEMA asks the handler (file_fdw's cannot): everything before it replays.
    expect(db).toBeInstanceOf(Error)
    const only = await withStandIn(
      'wrappers',
      `
create extension if not exists wrappers with schema extensions;
create foreign data wrapper stripe_wrapper handler stripe_fdw_handler validator stripe_fdw_validator;
create server stripe_server foreign data wrapper stripe_wrapper options (api_key_id 'x');
create schema stripe;
create foreign table stripe.customers (id text, email text) server stripe_server options (object 'customers');
`,
    )
    expect((await only.query('select ftoptions from pg_foreign_table')).rows).toEqual([
      {ftoptions: ['object=customers']},
    ])
    expect((await only.query('select * from extensions.stripe_fdw_meta()')).rows).toMatchObject([{name: 'stripe_fdw'}])
  })

  it('covers every stand-in', () => {
    expect(Object.keys(STAND_INS).sort()).toEqual([
      'http',
      'pg_cron',
      'pg_graphql',
      'pg_jsonschema',
      'pg_net',
      'pgjwt',
      'pgmq',
      'pgsodium',
      'supabase_vault',
      'wrappers',
    ])
  })
})
