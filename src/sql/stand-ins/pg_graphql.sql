create function graphql.resolve(
  query text,
  variables jsonb default '{}'::jsonb,
  "operationName" text default null,
  extensions jsonb default null
) returns jsonb language sql volatile as $$ select '{"data": null}'::jsonb $$;
create function graphql.comment_directive(comment_ text) returns jsonb language sql immutable as $$
  select coalesce(substring($1 from '@graphql\((.*)\)')::jsonb, '{}'::jsonb)
$$;
create function graphql.exception(message text) returns text language plpgsql as $$
begin
  raise exception using errcode = '22000', message = message;
end
$$;
create function graphql.get_schema_version() returns integer language sql volatile as $$ select 1 $$;
