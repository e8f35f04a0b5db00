/**
 * Migrations whose effects reach past the objects their statements name: renames (of columns, tables, schemas,
 * types, functions), cascades (a dropped column takes its index, a dropped table its view and policies), DDL run
 * by dynamic SQL, grants, an extension, a CREATE INDEX CONCURRENTLY file, and DEALLOCATE ALL (which removes the
 * prepared statements the replay's catalog readers use). The last file fails if the readers' plan_cache_mode
 * leaked into the replay. Keys are paths relative to the project.
 */
const file = (version: number, name: string) =>
  `supabase/migrations/2025010100${String(version).padStart(4, '0')}_${name}.sql`

export const DDL_EDGE_MIGRATIONS: Record<string, string> = {
  [file(1, 'app')]: `
create schema app;
create table app.a (id int primary key, x int, y text);
create view app.v as select id, x from app.a;
create index a_y on app.a (y);
alter table app.a enable row level security;
create policy p on app.a using (true);`,
  [file(2, 'rename_column')]: 'alter table app.a rename column x to xx;',
  [file(3, 'rename_table')]: 'alter table app.a rename to b;',
  [file(4, 'drop_column')]: 'alter table app.b drop column y;',
  [file(5, 'replace_policy')]: 'drop policy p on app.b;\ncreate policy q on app.b for select using (xx > 0);',
  [file(6, 'type')]: `
create type public.mood as enum ('ok');
create table public.t (id int primary key, m public.mood);
alter type public.mood rename to feeling;`,
  [file(7, 'functions')]: `
create function public.f() returns int language sql as 'select 1';
alter function public.f() rename to g;
create function public.trg() returns trigger language plpgsql as $$ begin return new; end $$;
create trigger tr before insert on public.t for each row execute function public.trg();`,
  [file(8, 'dynamic_drop')]: `do $$ begin execute 'drop table app.b cascade'; end $$;`,
  [file(9, 'rename_schema')]: 'create table app.c (id int);\nalter schema app rename to app2;',
  [file(10, 'extension')]: 'create extension if not exists pg_trgm with schema extensions;',
  [file(11, 'grants')]: `
grant select on public.t to anon;
grant execute on function public.g() to anon;
revoke all on public.t from anon;
comment on table public.t is 'commented';`,
  [file(12, 'deallocate')]: 'deallocate all;\ncreate table public.after_deallocate (id int);',
  [file(13, 'concurrently')]: 'create index concurrently t_m on public.t (m);',
  [file(14, 'last')]: `
do $$ begin
  if current_setting('plan_cache_mode') <> 'auto' then raise exception 'plan_cache_mode leaked into the replay'; end if;
end $$;
create table public.notes (id int primary key, t_id int references public.t (id));
create function public.note_count() returns bigint language sql as 'select count(*) from public.notes';`,
}
