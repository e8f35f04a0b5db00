/**
 * Migration histories in the shape of real open-source Supabase apps that broke sbx (issue 18), as their authors
 * write them: extensions in `extensions`, pinned versions, vault secrets, storage policies, emoji in defaults,
 * overloads whose signatures pass 63 bytes. Keys are paths relative to the project (pass to tmpProject).
 */

/** A "second brain" RAG app: vector embeddings, http calls to an embedding API, emoji defaults. */
export const RAG_APP: Record<string, string> = {
  'supabase/migrations/20240101000000_extensions.sql': `
create extension if not exists vector with schema extensions;
create extension if not exists http with schema extensions;
create extension if not exists pg_net with schema extensions;
`,
  'supabase/migrations/20240102000000_notes.sql': `
create table public.notes (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  title text not null default '🧠 New thought',
  body text not null default '',
  icon text not null default '💡',
  embedding extensions.vector(1536),
  created_at timestamptz not null default now()
);
comment on table public.notes is '🧠 Notes: one per thought, embedded for search 🔎';
alter table public.notes enable row level security;
create policy "Own notes" on public.notes for all to authenticated
  using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);
create index notes_embedding on public.notes using hnsw (embedding extensions.vector_cosine_ops);
`,
  'supabase/migrations/20240103000000_search.sql': `
create or replace function public.match_notes(query_embedding extensions.vector(1536), match_count int default 10)
returns table (id uuid, title text, similarity float)
language sql stable set search_path = '' as $$
  select n.id, n.title, 1 - (n.embedding operator(extensions.<=>) query_embedding) as similarity
  from public.notes n
  where n.user_id = (select auth.uid())
  order by n.embedding operator(extensions.<=>) query_embedding
  limit match_count;
$$;
create function public.embed_note() returns trigger language plpgsql security definer set search_path = '' as $$
begin
  perform net.http_post(
    url := 'https://api.example.com/embed',
    body := jsonb_build_object('id', new.id, 'text', new.title || ' ' || new.body)
  );
  return new;
end
$$;
create trigger embed_note after insert or update of body on public.notes
  for each row execute function public.embed_note();
select (extensions.http_get('https://api.example.com/health')).status;
`,
  'supabase/migrations/20240104000000_secrets.sql': `
select vault.create_secret('sk-test', 'openai_key', 'The embedding API key ✨');
insert into public.notes (user_id, title)
  select id, '👋 Welcome' from auth.users;
`,
}

/** A workflow engine on pgmq and pg_cron: queues, a batch helper returning pgmq's type, a scheduled job. */
export const QUEUE_APP: Record<string, string> = {
  'supabase/migrations/20240201000000_extensions.sql': `
create extension if not exists pgmq;
create extension if not exists pg_cron with schema pg_catalog;
create extension if not exists pg_net with schema extensions;
`,
  'supabase/migrations/20240202000000_queues.sql': `
create function public.set_vt_batch(queue_name text, msg_ids bigint[], vt integer)
returns setof pgmq.message_record language sql as $$
  select r.* from unnest(msg_ids) as id, pgmq.set_vt(queue_name, id, vt) as r
$$;
select public.set_vt_batch('none', array[]::bigint[], 0);
select pgmq.create('workflow_runs');
select pgmq.create('step_runs');
`,
  'supabase/migrations/20240203000000_runs.sql': `
create table public.workflow_runs (
  id bigint generated always as identity primary key,
  workflow text not null,
  status text not null default 'pending' check (status in ('pending', 'running', 'done', 'failed')),
  created_at timestamptz not null default now()
);
create function public.start_run(workflow text) returns bigint language plpgsql as $$
declare
  run_id bigint;
begin
  insert into public.workflow_runs (workflow) values (workflow) returning id into run_id;
  perform pgmq.send('workflow_runs', jsonb_build_object('run_id', run_id));
  return run_id;
end
$$;
select public.start_run('welcome');
select * from pgmq.read('workflow_runs', 30, 1);
`,
  'supabase/migrations/20240204000000_schedule.sql': `
select cron.schedule('poll-steps', '* * * * *', $$ select public.set_vt_batch('step_runs', array[]::bigint[], 0) $$);
create or replace function public.set_vt_batch(queue_name text, msg_ids bigint[], vt integer)
returns setof pgmq.message_record language sql as $$
  select r.* from unnest(msg_ids) as id, pgmq.set_vt(queue_name, id, vt) as r where true
$$;
update public.workflow_runs set status = 'running' where status = 'pending';
`,
}

/** Places on PostGIS, billing through a Stripe foreign data wrapper (Supabase Wrappers) with a vault key. */
export const GEO_FDW_APP: Record<string, string> = {
  'supabase/migrations/20240301000000_extensions.sql': `
create extension if not exists postgis with schema extensions;
create extension if not exists wrappers with schema extensions;
`,
  'supabase/migrations/20240302000000_places.sql': `
create table public.places (
  id bigint generated always as identity primary key,
  name text not null,
  location extensions.geography(point, 4326) not null
);
create index places_location on public.places using gist (location);
create function public.nearby_places(lat double precision, lng double precision, meters double precision)
returns setof public.places language sql stable set search_path = '' as $$
  select * from public.places
  where extensions.st_dwithin(location, extensions.st_point(lng, lat)::extensions.geography, meters)
$$;
insert into public.places (name, location) values ('HQ', extensions.st_point(13.405, 52.52)::extensions.geography);
`,
  'supabase/migrations/20240303000000_stripe.sql': `
create foreign data wrapper stripe_wrapper handler stripe_fdw_handler validator stripe_fdw_validator;
select vault.create_secret('sk_test_x', 'stripe', 'Stripe API key');
create server stripe_server foreign data wrapper stripe_wrapper
  options (api_key_name 'stripe', api_url 'https://api.stripe.com/v1');
create schema if not exists stripe;
create foreign table stripe.customers (id text, email text, name text, created timestamp, attrs jsonb)
  server stripe_server options (object 'customers', rowid_column 'id');
create foreign table stripe.subscriptions (id text, customer text, currency text, attrs jsonb)
  server stripe_server options (object 'subscriptions');
revoke all on stripe.customers, stripe.subscriptions from anon, authenticated;
`,
}

/** Two overloads whose `name(identity arguments)` share their first 63 bytes and more. */
export const LONG_OVERLOAD_NAME = 'calculate_workspace_member_engagement_score_for_billing_period'
export const LONG_OVERLOADS = [
  `public.${LONG_OVERLOAD_NAME}(p_workspace_id uuid, p_period_start timestamp with time zone, p_weights jsonb)`,
  `public.${LONG_OVERLOAD_NAME}(p_workspace_id uuid, p_period_start timestamp with time zone, p_weights jsonb, p_include_guests boolean)`,
] as const

/** Emoji defaults and long overloaded functions, with a basejump-style schema of its own. */
export const EMOJI_OVERLOAD_APP: Record<string, string> = {
  'supabase/migrations/20240401000000_accounts.sql': `
create schema if not exists basejump;
create table basejump.accounts (
  id uuid primary key default gen_random_uuid(),
  name text not null default '🚀 My team',
  reaction text not null default '👍🏽',
  flag text not null default '🏳️‍🌈'
);
create table public.workspace_members (
  workspace_id uuid not null references basejump.accounts (id),
  user_id uuid not null,
  joined_at timestamptz not null default now()
);
`,
  'supabase/migrations/20240402000000_scores.sql': `
create function public.${LONG_OVERLOAD_NAME}(p_workspace_id uuid, p_period_start timestamptz, p_weights jsonb)
returns numeric language sql stable as $$ select count(*)::numeric from public.workspace_members where workspace_id = p_workspace_id $$;
create function public.${LONG_OVERLOAD_NAME}(p_workspace_id uuid, p_period_start timestamptz, p_weights jsonb, p_include_guests boolean)
returns numeric language sql stable as $$ select count(*)::numeric from public.workspace_members where workspace_id = p_workspace_id $$;
comment on function public.${LONG_OVERLOAD_NAME}(uuid, timestamptz, jsonb) is '📈 engagement, members only';
`,
  'supabase/migrations/20240403000000_backfill.sql': `
insert into basejump.accounts (name) values ('🦄 Unicorn'), (default);
update basejump.accounts set reaction = '🎉' where name = '🦄 Unicorn';
alter table public.workspace_members drop constraint workspace_members_workspace_id_fkey;
alter table public.workspace_members add constraint workspace_members_workspace_id_fkey
  foreign key (workspace_id) references basejump.accounts (id) on delete cascade;
`,
}

/**
 * A workflow engine on an extension the embedded database still lacks (pg_partman): statement 0 of a file is
 * skipped for it, statement 1 calls what statement 0 would have made, and a later file redefines that function.
 */
export const SKIPPED_CHAIN_APP: Record<string, string> = {
  'supabase/migrations/20240501000000_partman.sql': `
create schema if not exists partman;
create extension if not exists pg_partman schema partman;
`,
  'supabase/migrations/20240502000000_parts.sql': `
create function public.part_batch(parent text) returns setof partman.part_config language sql as $$
  select * from partman.part_config where parent_table = parent
$$;
select * from public.part_batch('public.events');
create view public.part_overview as select * from public.part_batch('public.events');
create table public.events (id bigint generated always as identity primary key, at timestamptz not null default now());
`,
  'supabase/migrations/20240503000000_redefine.sql': `
create or replace function public.part_batch(parent text) returns setof partman.part_config language sql as $$
  select * from partman.part_config where parent_table = parent and true
$$;
insert into public.events default values;
`,
}
