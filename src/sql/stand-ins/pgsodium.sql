do $$
begin
  if not exists (select from pg_roles where rolname = 'pgsodium_keyiduser') then create role pgsodium_keyiduser; end if;
  if not exists (select from pg_roles where rolname = 'pgsodium_keyholder') then create role pgsodium_keyholder; end if;
  if not exists (select from pg_roles where rolname = 'pgsodium_keymaker') then create role pgsodium_keymaker; end if;
end
$$;
create type pgsodium.key_status as enum ('default', 'valid', 'invalid', 'expired');
create type pgsodium.key_type as enum (
  'aead-ietf', 'aead-det', 'hmacsha512', 'hmacsha256', 'auth', 'shorthash', 'generichash', 'kdf', 'secretbox',
  'secretstream', 'stream_xchacha20'
);
create type pgsodium.crypto_box_keypair as (public bytea, secret bytea);
create type pgsodium.crypto_sign_keypair as (public bytea, secret bytea);
create type pgsodium.crypto_kx_keypair as (public bytea, secret bytea);
create table pgsodium.key (
  id uuid primary key default gen_random_uuid(),
  status pgsodium.key_status default 'valid',
  created timestamptz not null default current_timestamp,
  expires timestamptz,
  key_type pgsodium.key_type,
  key_id bigserial,
  key_context bytea default 'pgsodium',
  name text unique,
  associated_data text default 'associated',
  raw_key bytea,
  raw_key_nonce bytea,
  parent_key uuid references pgsodium.key (id),
  comment text,
  user_data text
);
create view pgsodium.valid_key as
  select id, name, status, key_type, key_id, key_context, created, expires, associated_data
  from pgsodium.key
  where status in ('valid', 'default') and (expires is null or expires > now());
create function pgsodium.randombytes_random() returns integer language sql volatile as $$ select 4 $$;
create function pgsodium.randombytes_uniform(upper_bound integer) returns integer language sql volatile as $$
  select 0
$$;
create function pgsodium.randombytes_buf(size integer) returns bytea language sql volatile as $$
  select decode(repeat('00', $1), 'hex')
$$;
create function pgsodium.crypto_secretbox_keygen() returns bytea language sql volatile as $$
  select pgsodium.randombytes_buf(32)
$$;
create function pgsodium.crypto_secretbox_noncegen() returns bytea language sql volatile as $$
  select pgsodium.randombytes_buf(24)
$$;
create function pgsodium.crypto_secretbox(message bytea, nonce bytea, key bytea) returns bytea
  language sql immutable as $$ select $1 $$;
create function pgsodium.crypto_secretbox_open(ciphertext bytea, nonce bytea, key bytea) returns bytea
  language sql immutable as $$ select $1 $$;
create function pgsodium.crypto_aead_det_keygen() returns bytea language sql volatile as $$
  select pgsodium.randombytes_buf(32)
$$;
create function pgsodium.crypto_aead_det_noncegen() returns bytea language sql volatile as $$
  select pgsodium.randombytes_buf(16)
$$;
create function pgsodium.crypto_aead_det_encrypt(message bytea, additional bytea, key bytea, nonce bytea default null)
  returns bytea language sql immutable as $$ select $1 $$;
create function pgsodium.crypto_aead_det_encrypt(message bytea, additional bytea, key_uuid uuid, nonce bytea default null)
  returns bytea language sql stable as $$ select $1 $$;
create function pgsodium.crypto_aead_det_decrypt(ciphertext bytea, additional bytea, key bytea, nonce bytea default null)
  returns bytea language sql immutable as $$ select $1 $$;
create function pgsodium.crypto_aead_det_decrypt(message bytea, additional bytea, key_uuid uuid, nonce bytea default null)
  returns bytea language sql stable as $$ select $1 $$;
create function pgsodium.crypto_box_new_keypair() returns pgsodium.crypto_box_keypair language sql volatile as $$
  select row(pgsodium.randombytes_buf(32), pgsodium.randombytes_buf(32))::pgsodium.crypto_box_keypair
$$;
create function pgsodium.crypto_sign_new_keypair() returns pgsodium.crypto_sign_keypair language sql volatile as $$
  select row(pgsodium.randombytes_buf(32), pgsodium.randombytes_buf(64))::pgsodium.crypto_sign_keypair
$$;
create function pgsodium.crypto_sign(message bytea, key bytea) returns bytea language sql immutable as $$
  select $1
$$;
create function pgsodium.crypto_sign_open(signed_message bytea, key bytea) returns bytea language sql immutable as $$
  select $1
$$;
create function pgsodium.crypto_generichash(message bytea, key bytea default null) returns bytea
  language sql immutable as $$ select sha256($1) $$;
create function pgsodium.crypto_hash_sha256(message bytea) returns bytea language sql immutable as $$
  select sha256($1)
$$;
create function pgsodium.crypto_hash_sha512(message bytea) returns bytea language sql immutable as $$
  select sha512($1)
$$;
create function pgsodium.create_key(
  key_type pgsodium.key_type default 'aead-det',
  name text default null,
  raw_key bytea default null,
  raw_key_nonce bytea default null,
  parent_key uuid default null,
  key_context bytea default 'pgsodium',
  expires timestamptz default null,
  associated_data text default ''
) returns pgsodium.valid_key language sql volatile as $$
  with created as (
    insert into pgsodium.key (key_type, name, raw_key, raw_key_nonce, parent_key, key_context, expires, associated_data)
    values ($1, $2, $3, $4, $5, $6, $7, $8)
    returning *
  )
  select id, name, status, key_type, key_id, key_context, created, expires, associated_data from created
$$;
