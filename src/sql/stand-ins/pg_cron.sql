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
