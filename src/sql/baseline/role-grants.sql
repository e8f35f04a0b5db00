-- Role memberships (supabase/postgres init-scripts/00000000000000-initial-schema.sql, 00000000000001-auth-schema.sql …)
grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;
grant supabase_auth_admin, supabase_storage_admin to postgres;
