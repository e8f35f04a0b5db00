/**
 * A project shaped like incident INF-015 (the incident report INF-015 the issue quotes): a baseline, the deployed
 * fix_numeric_search, then SEC-014 (policies), COM-006 (a column, pg_trgm indexes), GRW-011 tables, GRW-011
 * functions (the only one that needs another pending file), CTX-010 (a column and indexes) and SEC-006 (tables,
 * functions, a trigger, a view). Keys are paths relative to the project (pass to tmpProject).
 */
const M = 'supabase/migrations'

export const INCIDENT_FILES = {
  baseline: '20260201000000_baseline.sql',
  fixSearch: '20260207040000_fix_numeric_search.sql',
  sec014: '20260207050000_sec014_tighten_permissive_rls.sql',
  com006: '20260207060000_com006_message_search_archive.sql',
  grw011Tables: '20260207070000_grw011_churn_prevention.sql',
  grw011Functions: '20260207080100_grw011_churn_scoring_function.sql',
  ctx010: '20260207080200_ctx010_add_metadata_to_document_chunks.sql',
  sec006: '20260207080300_sec006_security_monitoring.sql',
} as const

export const INCIDENT_MIGRATIONS: Record<string, string> = {
  [`${M}/${INCIDENT_FILES.baseline}`]: `
create table public.workspaces (id uuid primary key default gen_random_uuid(), name text not null);
create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  workspace_id uuid references public.workspaces (id),
  full_name text,
  legacy_note text
);
create table public.user_roles (
  user_id uuid not null references public.profiles (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id),
  role text not null check (role in ('member', 'tenant_admin', 'super_admin')),
  primary key (user_id, workspace_id)
);
create table public.conversations (id uuid primary key default gen_random_uuid(), workspace_id uuid not null references public.workspaces (id));
create table public.messages (id bigint generated always as identity primary key, conversation_id uuid not null references public.conversations (id), content text not null);
create table public.document_chunks (id bigint generated always as identity primary key, workspace_id uuid not null, content text not null);
create table public.production_metrics (id bigint generated always as identity primary key, workspace_id uuid not null, value numeric);
alter table public.production_metrics enable row level security;
create policy "admin all" on public.production_metrics for all using (true);
`,
  [`${M}/${INCIDENT_FILES.fixSearch}`]: `
create or replace function public.search_chunks(query text)
returns setof public.document_chunks
language sql stable
as $$ select * from public.document_chunks where content ilike '%' || query || '%' $$;
`,
  [`${M}/${INCIDENT_FILES.sec014}`]: `
drop policy if exists "admin all" on public.production_metrics;
create policy "super_admin all" on public.production_metrics for all
  using (exists (select 1 from public.user_roles r where r.user_id = auth.uid() and r.role = 'super_admin'));
create policy "tenant_admin scoped" on public.production_metrics for all
  using (workspace_id in (select r.workspace_id from public.user_roles r where r.user_id = auth.uid() and r.role = 'tenant_admin'));
`,
  [`${M}/${INCIDENT_FILES.com006}`]: `
alter table public.conversations add column if not exists archived boolean not null default false;
create extension if not exists pg_trgm with schema extensions;
create index if not exists messages_content_fts on public.messages using gin (to_tsvector('english', content));
create index if not exists messages_content_trgm on public.messages using gin (content extensions.gin_trgm_ops);
`,
  [`${M}/${INCIDENT_FILES.grw011Tables}`]: `
create table if not exists public.user_activity_log (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.profiles (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id),
  activity text not null,
  created_at timestamptz not null default now()
);
create table if not exists public.churn_risk_assessments (
  user_id uuid not null references public.profiles (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id),
  score int not null,
  assessed_at timestamptz not null default now(),
  primary key (user_id, workspace_id)
);
create table if not exists public.retention_email_queue (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.profiles (id),
  template text not null
);
alter table public.user_activity_log enable row level security;
alter table public.churn_risk_assessments enable row level security;
alter table public.retention_email_queue enable row level security;
create policy "own activity" on public.user_activity_log for select using (user_id = auth.uid());
create policy "admins read assessments" on public.churn_risk_assessments for select
  using (exists (select 1 from public.user_roles r where r.user_id = auth.uid() and r.workspace_id = churn_risk_assessments.workspace_id));
create policy "service queue" on public.retention_email_queue for all to service_role using (true);
create or replace function public.log_user_activity(p_workspace_id uuid, p_activity text)
returns void language plpgsql security definer set search_path = '' as $$
begin
  insert into public.user_activity_log (user_id, workspace_id, activity) values (auth.uid(), p_workspace_id, p_activity);
end $$;
`,
  [`${M}/${INCIDENT_FILES.grw011Functions}`]: `
create or replace function public.assess_churn_risk(p_user_id uuid, p_workspace_id uuid)
returns int language plpgsql security definer set search_path = '' as $$
declare
  recent int;
begin
  select count(*) into recent from public.user_activity_log
    where user_id = p_user_id and workspace_id = p_workspace_id and created_at > now() - interval '30 days';
  insert into public.churn_risk_assessments (user_id, workspace_id, score)
    values (p_user_id, p_workspace_id, greatest(0, 100 - recent * 10))
    on conflict (user_id, workspace_id) do update set score = excluded.score, assessed_at = now();
  return greatest(0, 100 - recent * 10);
end $$;
create or replace function public.assess_all_users_churn_risk()
returns int language plpgsql security definer set search_path = '' as $$
declare
  done int := 0;
  pair record;
begin
  for pair in select distinct a.user_id, a.workspace_id from public.user_activity_log a loop
    perform public.assess_churn_risk(pair.user_id, pair.workspace_id);
    done := done + 1;
  end loop;
  return done;
end $$;
grant execute on function public.assess_churn_risk(uuid, uuid) to authenticated, service_role;
grant execute on function public.assess_all_users_churn_risk() to service_role;
`,
  [`${M}/${INCIDENT_FILES.ctx010}`]: `
alter table public.document_chunks add column if not exists metadata jsonb not null default '{}'::jsonb;
create index if not exists document_chunks_metadata_gin on public.document_chunks using gin (metadata);
create index if not exists document_chunks_page on public.document_chunks (((metadata ->> 'page')::int)) where metadata ? 'page';
`,
  [`${M}/${INCIDENT_FILES.sec006}`]: `
create table if not exists public.security_events (
  id bigint generated always as identity primary key,
  user_id uuid references public.profiles (id),
  kind text not null,
  severity text not null default 'info',
  created_at timestamptz not null default now()
);
create table if not exists public.security_alerts (
  id bigint generated always as identity primary key,
  event_id bigint not null references public.security_events (id),
  acknowledged boolean not null default false
);
alter table public.security_events enable row level security;
alter table public.security_alerts enable row level security;
create policy "super admins read events" on public.security_events for select
  using (exists (select 1 from public.user_roles r where r.user_id = auth.uid() and r.role = 'super_admin'));
create or replace function public.log_security_event(p_kind text, p_severity text default 'info')
returns bigint language sql security definer set search_path = '' as $$
  insert into public.security_events (user_id, kind, severity) values (auth.uid(), p_kind, p_severity) returning id
$$;
create or replace function public.raise_security_alert() returns trigger language plpgsql as $$
begin
  if new.severity = 'critical' then
    insert into public.security_alerts (event_id) values (new.id);
  end if;
  return new;
end $$;
create trigger security_events_alert after insert on public.security_events
  for each row execute function public.raise_security_alert();
create or replace view public.security_event_summary with (security_invoker = on) as
  select kind, severity, count(*) as events from public.security_events group by kind, severity;
`,
}

/** A later migration that loses data: it drops a column. */
export const DROP_COLUMN_MIGRATION = {
  [`${M}/20260207090000_drop_legacy_note.sql`]: 'alter table public.profiles drop column legacy_note;\n',
}
