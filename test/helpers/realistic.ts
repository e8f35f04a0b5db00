/**
 * A realistic Supabase migration set: RLS policies, SECURITY DEFINER functions, auth.uid(), pg_trgm
 * indexes, triggers and views, spread over several files that depend on each other in order.
 */
export const REALISTIC_MIGRATIONS: Record<string, string> = {
  'supabase/migrations/20260201000000_extensions.sql': `create extension if not exists pg_trgm with schema extensions;
create extension if not exists pgcrypto with schema extensions;
`,
  'supabase/migrations/20260201000100_profiles.sql': `create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  username text unique not null check (char_length(username) >= 3),
  bio text default '',
  updated_at timestamptz not null default now()
);
alter table public.profiles enable row level security;
create policy "profiles are public" on public.profiles for select using (true);
create policy "users update their own profile" on public.profiles
  for update to authenticated using (auth.uid() = id) with check (auth.uid() = id);
create index profiles_username_trgm on public.profiles using gin (username extensions.gin_trgm_ops);
`,
  'supabase/migrations/20260201000200_new_user_trigger.sql': `create or replace function public.handle_new_user()
returns trigger
language plpgsql
security definer set search_path = ''
as $$
begin
  insert into public.profiles (id, username) values (new.id, coalesce(new.raw_user_meta_data ->> 'username', 'user_' || left(new.id::text, 8)));
  return new;
end;
$$;
create trigger on_auth_user_created after insert on auth.users for each row execute procedure public.handle_new_user();
`,
  'supabase/migrations/20260201000300_posts.sql': `create table public.posts (
  id bigint generated always as identity primary key,
  author_id uuid not null references public.profiles (id) on delete cascade,
  title text not null,
  body text not null default '',
  search tsvector generated always as (to_tsvector('english', title || ' ' || body)) stored,
  created_at timestamptz not null default now()
);
alter table public.posts enable row level security;
create policy "posts are readable" on public.posts for select using (true);
create policy "authors write posts" on public.posts for insert to authenticated with check (author_id = (select auth.uid()));
create index posts_search_idx on public.posts using gin (search);
create index posts_title_trgm on public.posts using gin (title extensions.gin_trgm_ops);
grant select on public.posts to anon, authenticated;
`,
  'supabase/migrations/20260201000400_views_and_functions.sql': `create view public.post_counts with (security_invoker = on) as
  select p.id, p.username, count(posts.id) as posts from public.profiles p left join public.posts on posts.author_id = p.id group by p.id;
create or replace function public.my_posts()
returns setof public.posts
language sql stable security definer set search_path = public
as $$ select * from public.posts where author_id = auth.uid() $$;
revoke execute on function public.my_posts() from public;
grant execute on function public.my_posts() to authenticated;
create or replace function public.touch_updated_at() returns trigger language plpgsql as $$
begin new.updated_at := now(); return new; end $$;
create trigger profiles_touch before update on public.profiles for each row execute function public.touch_updated_at();
`,
}
