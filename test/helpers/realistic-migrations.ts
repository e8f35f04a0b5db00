/**
 * A realistic Supabase migration history, the kind the embedded database must accept: extensions in the
 * `extensions` schema, tables referencing auth.users, RLS policies on auth.uid() and auth.jwt(), SECURITY
 * DEFINER functions and a trigger on auth.users, pg_trgm indexes, views, storage buckets and policies,
 * realtime, enums, a SQL-standard function body, a CREATE INDEX CONCURRENTLY file and a file with its own
 * BEGIN/COMMIT. Keys are paths relative to the project (pass to tmpProject).
 */
export const REALISTIC_MIGRATIONS: Record<string, string> = {
  'supabase/migrations/20240101000000_extensions.sql': `
create extension if not exists pg_trgm with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
`,
  'supabase/migrations/20240102000000_profiles.sql': `
-- One profile per auth user, created by a trigger on auth.users.
create type public.user_role as enum ('member', 'moderator', 'admin');

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  username text unique check (char_length(username) >= 3),
  full_name text,
  avatar_url text,
  role public.user_role not null default 'member',
  updated_at timestamptz not null default now()
);
comment on table public.profiles is 'Public profile data; the private part stays in auth.users.';

alter table public.profiles enable row level security;

create policy "Profiles are viewable by everyone" on public.profiles
  for select using (true);
create policy "Users insert their own profile" on public.profiles
  for insert to authenticated with check ((select auth.uid()) = id);
create policy "Users update their own profile" on public.profiles
  for update to authenticated using ((select auth.uid()) = id) with check ((select auth.uid()) = id);

create function public.handle_new_user()
returns trigger
language plpgsql
security definer set search_path = ''
as $$
begin
  insert into public.profiles (id, full_name, avatar_url)
  values (new.id, new.raw_user_meta_data ->> 'full_name', new.raw_user_meta_data ->> 'avatar_url');
  return new;
end;
$$;

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute procedure public.handle_new_user();
`,
  'supabase/migrations/20240103000000_helpers.sql': `
create or replace function public.is_admin()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.profiles p where p.id = auth.uid() and p.role = 'admin'
  )
$$;
revoke execute on function public.is_admin() from public, anon;
grant execute on function public.is_admin() to authenticated;

create function public.set_updated_at() returns trigger language plpgsql set search_path = '' as $$
begin
  new.updated_at := now();
  return new;
end
$$;

create trigger profiles_updated_at before update on public.profiles
  for each row execute function public.set_updated_at();
`,
  'supabase/migrations/20240104000000_projects.sql': `
create table public.projects (
  id uuid primary key default extensions.uuid_generate_v4(),
  owner_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  name text not null,
  description text,
  settings jsonb not null default '{}'::jsonb,
  api_key text not null default encode(extensions.gen_random_bytes(24), 'hex'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.project_members (
  project_id uuid not null references public.projects (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null default 'viewer' check (role in ('viewer', 'editor')),
  primary key (project_id, user_id)
);

create index projects_owner_id_idx on public.projects (owner_id);
create index projects_name_trgm_idx on public.projects using gin (name extensions.gin_trgm_ops);

alter table public.projects enable row level security;
alter table public.project_members enable row level security;

create function public.is_project_member(p_project uuid)
returns boolean
language sql
security definer
set search_path = ''
stable
as $$
  select exists (
    select 1 from public.project_members m where m.project_id = p_project and m.user_id = (select auth.uid())
  )
$$;

create policy "Owners and members read projects" on public.projects
  for select to authenticated
  using (owner_id = (select auth.uid()) or public.is_project_member(id) or public.is_admin());
create policy "Owners write projects" on public.projects
  for all to authenticated
  using (owner_id = (select auth.uid()))
  with check (owner_id = (select auth.uid()));
create policy "Members see memberships" on public.project_members
  for select to authenticated using (user_id = (select auth.uid()));
create policy "Service role manages memberships" on public.project_members
  for all to service_role using (true);

create trigger projects_updated_at before update on public.projects
  for each row execute function public.set_updated_at();
`,
  'supabase/migrations/20240105000000_tasks.sql': `
create table public.tasks (
  id bigint generated by default as identity primary key,
  project_id uuid not null references public.projects (id) on delete cascade,
  title text not null,
  body text,
  done boolean not null default false,
  search tsvector generated always as (to_tsvector('english', title || ' ' || coalesce(body, ''))) stored,
  created_by uuid default auth.uid() references auth.users (id),
  created_at timestamptz not null default now()
);
create index tasks_search_idx on public.tasks using gin (search);
create index tasks_title_trgm_idx on public.tasks using gist (title extensions.gist_trgm_ops);
alter table public.tasks enable row level security;
create policy "Project members manage tasks" on public.tasks
  for all to authenticated
  using (public.is_project_member(project_id))
  with check (public.is_project_member(project_id));
create policy "Tenants from the JWT" on public.tasks
  as restrictive for select to authenticated
  using (coalesce((auth.jwt() -> 'app_metadata' ->> 'suspended')::boolean, false) = false);

alter publication supabase_realtime add table public.tasks;
`,
  'supabase/migrations/20240106000000_views.sql': `
create view public.project_stats with (security_invoker = on) as
  select p.id, p.name, count(t.id) as tasks, count(t.id) filter (where t.done) as done
  from public.projects p left join public.tasks t on t.project_id = p.id
  group by p.id, p.name;

create materialized view public.popular_projects as
  select project_id, count(*) as tasks from public.tasks group by project_id;
-- The view was created just above and is empty: no lock to avoid.
-- squawk-ignore require-concurrent-index-creation
create unique index popular_projects_project_id_idx on public.popular_projects (project_id);
-- Materialized views have no RLS: keep this one out of the Data API.
revoke select on public.popular_projects from anon, authenticated;

create function public.search_projects(query text)
returns setof public.projects
language sql
stable
set search_path = public, extensions
as $$
  select * from public.projects
  where name % query
  order by extensions.similarity(name, query) desc
$$;

grant select on public.project_stats to authenticated;
`,
  'supabase/migrations/20240107000000_storage.sql': `
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('avatars', 'avatars', true, 5242880, array['image/png', 'image/jpeg']);

create policy "Avatar images are publicly accessible" on storage.objects
  for select using (bucket_id = 'avatars');
create policy "Users upload their own avatar" on storage.objects
  for insert to authenticated
  with check (bucket_id = 'avatars' and (storage.foldername(name))[1] = (select auth.uid())::text);
create policy "Users update their own avatar" on storage.objects
  for update to authenticated
  using (owner_id = (select auth.uid())::text);
`,
  'supabase/migrations/20240108000000_audit.sql': `
create schema if not exists audit;
grant usage on schema audit to service_role;

create table audit.events (
  id bigserial primary key,
  actor uuid default auth.uid(),
  actor_role text default auth.role(),
  table_name text not null,
  action text not null,
  row_data jsonb,
  at timestamptz not null default now()
);
revoke all on audit.events from anon, authenticated;

create or replace function audit.record() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  insert into audit.events (table_name, action, row_data)
  values (tg_table_name, tg_op, to_jsonb(coalesce(new, old)));
  return coalesce(new, old);
end
$$;

do $$
declare
  t text;
begin
  foreach t in array array['projects', 'tasks'] loop
    execute format('create trigger audit_%1$s after insert or update or delete on public.%1$I for each row execute function audit.record()', t);
  end loop;
end
$$;
`,
  'supabase/migrations/20240109000000_sql_standard_body.sql': `
create function public.task_count(p_project uuid) returns bigint
language sql stable
set search_path = ''
begin atomic
  select count(*) from public.tasks where project_id = p_project;
end;

create function public.hash_token(token text) returns text
language sql immutable
set search_path = ''
return extensions.crypt(token, extensions.gen_salt('bf', 4));
`,
  'supabase/migrations/20240110000000_concurrent_index.sql': `
create index concurrently if not exists tasks_created_at_idx on public.tasks (created_at desc);
`,
  'supabase/migrations/20240111000000_explicit_transaction.sql': `
begin;
alter table public.profiles add column if not exists bio text;
update public.profiles set bio = '' where bio is null;
commit;
`,
  'supabase/migrations/20240112000000_seed_roles.sql': `
-- Data migrations run as part of the history too.
insert into auth.users (id, email, raw_user_meta_data, created_at)
values ('00000000-0000-0000-0000-000000000001', 'admin@example.com', '{"full_name": "Admin"}', now());
update public.profiles set role = 'admin' where id = '00000000-0000-0000-0000-000000000001';
select public.hash_token('secret') is not null;
`,
}
