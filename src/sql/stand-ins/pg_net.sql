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
