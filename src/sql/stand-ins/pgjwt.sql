create function @extschema@.url_encode(data bytea) returns text language sql immutable as $$
  select translate(encode($1, 'base64'), E'+/=\n', '-_')
$$;
create function @extschema@.url_decode(data text) returns bytea language sql immutable as $$
  with t as (select translate($1, '-_', '+/') as trans),
    rem as (select length(t.trans) % 4 as remainder from t)
  select decode(t.trans || case when rem.remainder > 0 then repeat('=', 4 - rem.remainder) else '' end, 'base64')
  from t, rem
$$;
create function @extschema@.algorithm_sign(signables text, secret text, algorithm text) returns text
  language sql immutable as $$
  select @extschema@.url_encode(sha256(convert_to($3 || $2 || $1, 'utf8')))
$$;
create function @extschema@.sign(payload json, secret text, algorithm text default 'HS256') returns text
  language sql immutable as $$
  with signables as (
    select @extschema@.url_encode(convert_to('{"alg":"' || $3 || '","typ":"JWT"}', 'utf8')) || '.' ||
      @extschema@.url_encode(convert_to($1::text, 'utf8')) as data
  )
  select data || '.' || @extschema@.algorithm_sign(data, $2, $3) from signables
$$;
create function @extschema@.try_cast_double(inp text) returns double precision language plpgsql immutable as $$
begin
  begin
    return inp::double precision;
  exception when others then
    return null;
  end;
end
$$;
create function @extschema@.verify(token text, secret text, algorithm text default 'HS256')
  returns table (header json, payload json, valid boolean) language sql immutable as $$
  select convert_from(@extschema@.url_decode(part[1]), 'utf8')::json,
    convert_from(@extschema@.url_decode(part[2]), 'utf8')::json,
    part[3] = @extschema@.algorithm_sign(part[1] || '.' || part[2], $2, $3)
  from (select regexp_split_to_array($1, '\.') as part) parts
$$;
