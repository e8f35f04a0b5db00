create domain @extschema@.http_method as text
  check (value ilike 'get' or value ilike 'post' or value ilike 'put' or value ilike 'delete' or value ilike 'patch'
    or value ilike 'head');
create domain @extschema@.content_type as text check (value ~ '^\S+\/\S+');
create type @extschema@.http_header as (field varchar, value varchar);
create type @extschema@.http_response as (
  status integer,
  content_type varchar,
  headers @extschema@.http_header[],
  content varchar
);
create type @extschema@.http_request as (
  method @extschema@.http_method,
  uri varchar,
  headers @extschema@.http_header[],
  content_type varchar,
  content varchar
);
create function @extschema@.http_set_curlopt(curlopt varchar, value varchar) returns boolean
  language sql volatile as $$ select true $$;
create function @extschema@.http_reset_curlopt() returns boolean language sql volatile as $$ select true $$;
create function @extschema@.http_list_curlopt() returns table (curlopt text, value text)
  language sql volatile as $$ select null::text, null::text where false $$;
create function @extschema@.http_header(field varchar, value varchar) returns @extschema@.http_header
  language sql immutable as $$ select row($1, $2)::@extschema@.http_header $$;
create function @extschema@.http(request @extschema@.http_request) returns @extschema@.http_response
  language sql volatile as $$
  select row(200, 'application/json', array[]::@extschema@.http_header[], '{}')::@extschema@.http_response
$$;
create function @extschema@.http_get(uri varchar) returns @extschema@.http_response language sql volatile as $$
  select @extschema@.http(row('GET', $1, null, null, null)::@extschema@.http_request)
$$;
create function @extschema@.http_get(uri varchar, data jsonb) returns @extschema@.http_response
  language sql volatile as $$ select @extschema@.http(row('GET', $1, null, null, null)::@extschema@.http_request) $$;
create function @extschema@.http_post(uri varchar, content varchar, content_type varchar)
  returns @extschema@.http_response language sql volatile as $$
  select @extschema@.http(row('POST', $1, null, $3, $2)::@extschema@.http_request)
$$;
create function @extschema@.http_post(uri varchar, data jsonb) returns @extschema@.http_response
  language sql volatile as $$
  select @extschema@.http(row('POST', $1, null, 'application/x-www-form-urlencoded', null)::@extschema@.http_request)
$$;
create function @extschema@.http_put(uri varchar, content varchar, content_type varchar)
  returns @extschema@.http_response language sql volatile as $$
  select @extschema@.http(row('PUT', $1, null, $3, $2)::@extschema@.http_request)
$$;
create function @extschema@.http_patch(uri varchar, content varchar, content_type varchar)
  returns @extschema@.http_response language sql volatile as $$
  select @extschema@.http(row('PATCH', $1, null, $3, $2)::@extschema@.http_request)
$$;
create function @extschema@.http_delete(uri varchar) returns @extschema@.http_response language sql volatile as $$
  select @extschema@.http(row('DELETE', $1, null, null, null)::@extschema@.http_request)
$$;
create function @extschema@.http_delete(uri varchar, content varchar, content_type varchar)
  returns @extschema@.http_response language sql volatile as $$
  select @extschema@.http(row('DELETE', $1, null, $3, $2)::@extschema@.http_request)
$$;
create function @extschema@.http_head(uri varchar) returns @extschema@.http_response language sql volatile as $$
  select @extschema@.http(row('HEAD', $1, null, null, null)::@extschema@.http_request)
$$;
create function @extschema@.urlencode(string varchar) returns text language sql immutable strict as $$
  select replace(replace($1, '%', '%25'), ' ', '%20')
$$;
create function @extschema@.urlencode(string bytea) returns text language sql immutable strict as $$
  select encode($1, 'escape')
$$;
create function @extschema@.urlencode(data jsonb) returns text language sql immutable strict as $$
  select string_agg(key || '=' || value, '&') from jsonb_each_text($1)
$$;
create function @extschema@.text_to_bytea(data text) returns bytea language sql immutable strict as $$
  select convert_to($1, 'utf8')
$$;
create function @extschema@.bytea_to_text(data bytea) returns text language sql immutable strict as $$
  select convert_from($1, 'utf8')
$$;
