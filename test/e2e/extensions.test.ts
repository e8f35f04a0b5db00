/**
 * Supabase's extensions on the embedded database, through the built CLI (npm run build first): migrations
 * written the way AI and webhook apps write them verify and push; an extension Supabase offers that the
 * embedded database lacks is skipped with a warning; one that exists nowhere fails as on Supabase.
 */
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import type {VerifyReport} from '../../src/workflows/verify.js'
import {runSbx, SUPABASE_BIN} from '../helpers/cli.js'
import {tmpProject} from '../helpers/project.js'

const SBX_CACHE_DIR = process.env.SBX_CACHE_DIR ?? path.join(os.tmpdir(), 'sbx-test-cache')
const env = {SBX_CACHE_DIR, SBX_SUPABASE_BIN: SUPABASE_BIN}

/** As Supabase's "chat with your files" example and RAG / webhook apps write them. */
const APP_MIGRATIONS = {
  'supabase/migrations/20250101000000_extensions.sql': `
-- Pinned versions, as supabase db diff writes them: none of them is the embedded database's own.
create extension if not exists "vector" with schema "extensions" version '0.8.0';
create extension if not exists "pg_net" with schema "extensions" version '0.10.0';
create extension if not exists "http" with schema "extensions" version '1.5';
create extension if not exists pg_cron with schema pg_catalog;
create extension if not exists "citext" with schema "extensions" version '1.6';
create extension if not exists moddatetime schema extensions;
create extension if not exists pg_jsonschema with schema extensions;
`,
  'supabase/migrations/20250102000000_documents.sql': `
create table public.documents (
  id bigint primary key generated always as identity,
  content text not null,
  metadata jsonb not null default '{}' check (extensions.jsonb_matches_schema('{"type": "object"}', metadata)),
  embedding extensions.vector(384),
  author_email extensions.citext,
  updated_at timestamptz not null default now()
);
create index on public.documents using hnsw (embedding vector_ip_ops);
create trigger handle_updated_at before update on public.documents
  for each row execute procedure moddatetime (updated_at);

create or replace function public.match_documents(
  query_embedding extensions.vector(384),
  match_threshold float,
  match_count int
)
returns table (id bigint, content text, similarity float)
language sql stable
as $$
  select documents.id, documents.content, 1 - (documents.embedding <=> query_embedding) as similarity
  from public.documents
  where 1 - (documents.embedding <=> query_embedding) > match_threshold
  order by documents.embedding <=> query_embedding
  limit match_count;
$$;
`,
  'supabase/migrations/20250103000000_webhooks.sql': `
select vault.create_secret('https://example.supabase.co', 'project_url');

create schema private;
create function private.project_url() returns text
language plpgsql security definer set search_path = ''
as $$
declare
  secret_value text;
begin
  select decrypted_secret into secret_value from vault.decrypted_secrets where name = 'project_url';
  return secret_value;
end;
$$;

create function private.handle_storage_update() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  request_id bigint;
begin
  select net.http_post(
    url := private.project_url() || '/functions/v1/process',
    headers := jsonb_build_object('Content-Type', 'application/json'),
    body := jsonb_build_object('name', new.name, 'id', new.id),
    timeout_milliseconds := 5000
  ) into request_id;
  return null;
end;
$$;

create trigger on_file_upload after insert on storage.objects
  for each row execute procedure private.handle_storage_update();

insert into storage.buckets (id, name) values ('files', 'files');
insert into storage.objects (bucket_id, name) values ('files', 'welcome.md');
`,
  'supabase/migrations/20250104000000_health.sql': `
create function public.site_status(url text) returns integer
language plpgsql
as $$
begin
  return (extensions.http_get(url)).status;
end;
$$;

select cron.schedule('ping-site', '*/10 * * * *', $$ select public.site_status('https://example.com') $$);
select cron.schedule('nightly-cleanup', '0 3 * * *', $$ delete from public.documents where content = '' $$);
insert into public.documents (content, author_email, embedding)
  values ('hello', 'Ana@Example.com', array_fill(0.1, array[384])::extensions.vector);
`,
}

describe('sbx verify with Supabase extensions', () => {
  it('verifies an AI and webhook app, naming the stand-ins; sbx push applies it; a second push is up to date', {
    timeout: 240_000,
  }, async () => {
    const cwd = tmpProject(APP_MIGRATIONS)

    const human = await runSbx(['verify'], {cwd, env, timeoutMs: 120_000})
    expect(human.exitCode, human.stdout + human.stderr).toBe(0)
    expect(human.stdout).toContain('note   Extensions loaded: citext, moddatetime, vector.')
    expect(human.stdout).toContain('note   Stand-ins for http, pg_cron, pg_jsonschema, pg_net, supabase_vault:')
    expect(human.stdout).toMatch(/^ok {5}Replayed 4 migrations \(\d+ statements\) on a fresh PostgreSQL/m)

    const json = await runSbx(['verify', '--json'], {cwd, env, timeoutMs: 120_000})
    const report = JSON.parse(json.stdout) as VerifyReport
    expect(report.extensions.map(({name, status}) => `${name} ${status}`)).toEqual([
      'citext loaded',
      'http stand-in',
      'moddatetime loaded',
      'pg_cron stand-in',
      'pg_jsonschema stand-in',
      'pg_net stand-in',
      'supabase_vault stand-in',
      'vector loaded',
    ])
    expect(report).toMatchObject({ok: true, applied: 4, partlyVerified: []})

    const first = await runSbx(['push', '--json'], {cwd, env, timeoutMs: 180_000})
    expect(first.exitCode, first.stdout + first.stderr).toBe(0)
    expect(JSON.parse(first.stdout)).toMatchObject({status: 'pushed', applied: Object.keys(APP_MIGRATIONS).map(base)})

    const second = await runSbx(['push', '--json'], {cwd, env, timeoutMs: 180_000})
    expect(second.exitCode, second.stdout + second.stderr).toBe(0)
    expect(JSON.parse(second.stdout)).toMatchObject({status: 'up-to-date', alreadyApplied: 4})
  })

  it('skips what needs pgroonga, verifies the rest, exits 0 and names the partly verified migration', async () => {
    const cwd = tmpProject({
      'supabase/migrations/20250101000000_notes.sql': `
create table public.notes (id bigint generated always as identity primary key, title text not null, body text);
create extension if not exists pgroonga with schema extensions;
create index notes_body_search on public.notes using pgroonga (body);
create function public.search_notes(q text) returns setof public.notes language sql stable as $$
  select * from public.notes where body &@~ q
$$;
alter table public.notes add column tags text[];
`,
      'supabase/migrations/20250102000000_comments.sql': `
create table public.comments (id bigint generated always as identity primary key, note_id bigint references public.notes (id));
insert into public.notes (title, body, tags) values ('a', 'b', '{x}');
`,
    })

    const human = await runSbx(['verify'], {cwd, env})
    expect(human.exitCode, human.stdout + human.stderr).toBe(0)
    expect(human.stdout).toContain(
      'warn   Not on the embedded database (Supabase offers it): pgroonga; statements needing it were skipped.',
    )
    expect(human.stdout).toContain(
      'warn   20250101000000_notes.sql verified only partly: skipped statements 1, 2, 3 (they need pgroonga).',
    )
    expect(human.stdout).toMatch(/^ok {5}Replayed 2 migrations \(7 statements, 1 of them only partly\)/m)

    const json = await runSbx(['verify', '--json'], {cwd, env})
    expect(json.exitCode).toBe(0)
    const report = JSON.parse(json.stdout) as VerifyReport
    expect(report.extensions).toEqual([{name: 'pgroonga', status: 'missing', files: ['20250101000000_notes.sql']}])
    expect(report.partlyVerified).toMatchObject([
      {
        file: '20250101000000_notes.sql',
        missingExtensions: ['pgroonga'],
        skipped: [
          {statementIndex: 1},
          {statementIndex: 2, error: {code: '42704'}},
          {statementIndex: 3, error: {code: '42883'}},
        ],
      },
    ])
    expect(report).toMatchObject({ok: true, applied: 2})
  })

  it('steps over what needs pgroonga in a file that runs its own transaction, and goes on after COMMIT', async () => {
    const cwd = tmpProject({
      'supabase/migrations/20250101000000_places.sql': `
begin;
create extension if not exists pgroonga with schema extensions;
create table public.places (id bigint primary key, location extensions.geography(point));
create table public.visits (id bigint primary key, at timestamptz not null default now());
commit;
create index places_location on public.places using gist (location);
`,
      'supabase/migrations/20250102000000_visits.sql': 'insert into public.visits (id) values (1);',
    })

    const {exitCode, stdout} = await runSbx(['verify', '--json'], {cwd, env})

    expect(exitCode, stdout).toBe(0)
    const report = JSON.parse(stdout) as VerifyReport
    expect(report.partlyVerified).toMatchObject([
      {
        file: '20250101000000_places.sql',
        missingExtensions: ['pgroonga'],
        skipped: [{statementIndex: 1}, {statementIndex: 2, error: {code: '42704'}}, {statementIndex: 5}],
      },
    ])
    expect(report).toMatchObject({ok: true, applied: 2})
  })

  it('sbx push warns that verify skipped what needs pgroonga, then fails on it as any server without it: exit 5', {
    timeout: 180_000,
  }, async () => {
    const cwd = tmpProject({
      'supabase/migrations/20250101000000_init.sql': 'create table public.t (id int);',
      'supabase/migrations/20250102000000_search.sql': `
create table public.notes (id int);
create extension if not exists pgroonga with schema extensions;
`,
    })

    const {exitCode, stderr} = await runSbx(['push'], {cwd, env, timeoutMs: 150_000})

    expect(exitCode, stderr).toBe(5)
    expect(stderr).toContain('Verified only partly (the embedded database lacks pgroonga): 20250102000000_search.sql')
    expect(stderr).toContain('supabase db push failed while applying 20250102000000_search.sql')
    expect(stderr).toContain('extension "pgroonga" is not available')
  })

  it('still fails on an ordering mistake in a project that uses pgroonga', async () => {
    const cwd = tmpProject({
      'supabase/migrations/20250101000000_functions.sql': `
create extension if not exists pgroonga with schema extensions;
create function public.place_count() returns bigint language sql as $$ select count(*) from public.places $$;
`,
      'supabase/migrations/20250102000000_places.sql': `
create table public.places (id bigint primary key, location extensions.geography(point));
`,
    })

    const {exitCode, stdout} = await runSbx(['verify', '--json'], {cwd, env})

    expect(exitCode).toBe(3)
    const report = JSON.parse(stdout) as VerifyReport
    expect(report.failure).toMatchObject({
      file: '20250101000000_functions.sql',
      statementIndex: 1,
      createdBy: {file: '20250102000000_places.sql', statementIndex: 0},
    })
  })

  it('fails on an extension that exists nowhere, naming it, as supabase db push would', async () => {
    const cwd = tmpProject({
      'supabase/migrations/20250101000000_init.sql': 'create table public.t (id int);',
      'supabase/migrations/20250102000000_ext.sql':
        'create extension if not exists pg_doesnotexist with schema extensions;',
    })

    const human = await runSbx(['verify'], {cwd, env})
    expect(human.exitCode).toBe(3)
    expect(human.stdout).toContain('error  20250102000000_ext.sql fails at statement 0')
    expect(human.stdout).toContain(
      'Extension pg_doesnotexist is neither one Supabase offers nor one the embedded database has',
    )

    const json = await runSbx(['verify', '--json'], {cwd, env})
    expect(json.exitCode).toBe(3)
    const report = JSON.parse(json.stdout) as VerifyReport
    expect(report.extensions).toEqual([{name: 'pg_doesnotexist', status: 'unknown', files: ['20250102000000_ext.sql']}])
    expect(report.failure).toMatchObject({
      file: '20250102000000_ext.sql',
      unknownExtension: 'pg_doesnotexist',
      error: {code: '0A000', message: 'extension "pg_doesnotexist" is not available'},
    })
  })
})

function base(file: string): string {
  return path.basename(file)
}
