select 'schema ' || n.nspname as key, concat_ws('|', n.nspacl::text, obj_description(n.oid, 'pg_namespace')) as def
  from pg_namespace n where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'supabase_migrations', 'sbx_ddl_feed') and n.nspname not like 'pg\_temp%' and n.nspname not like 'pg\_toast%'
union all
select 'relation ' || n.nspname || '.' || c.relname, concat_ws('|', c.relkind, c.reloptions::text, c.relrowsecurity,
    c.relforcerowsecurity, c.relacl::text, c.relpersistence, obj_description(c.oid, 'pg_class'),
    case when c.relkind in ('v', 'm') then pg_get_viewdef(c.oid) end)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'supabase_migrations', 'sbx_ddl_feed') and n.nspname not like 'pg\_temp%' and n.nspname not like 'pg\_toast%' and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S', 'c')
union all
select 'column ' || n.nspname || '.' || c.relname || '.' || a.attname, concat_ws('|', (select count(*) from pg_attribute o where o.attrelid = a.attrelid and o.attnum > 0
      and not o.attisdropped and o.attnum <= a.attnum), format_type(a.atttypid, a.atttypmod),
    a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, a.attcollation::regcollation::text,
    a.attacl::text, col_description(c.oid, a.attnum))
  from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
  left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
  where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'supabase_migrations', 'sbx_ddl_feed') and n.nspname not like 'pg\_temp%' and n.nspname not like 'pg\_toast%' and c.relkind in ('r', 'p', 'v', 'm', 'f', 'c') and a.attnum > 0 and not a.attisdropped
union all
select 'constraint ' || n.nspname || '.' || coalesce(c.relname, t.typname) || '.' || k.conname,
    concat_ws('|', k.contype, pg_get_constraintdef(k.oid), k.condeferrable, k.condeferred, obj_description(k.oid, 'pg_constraint'))
  from pg_constraint k join pg_namespace n on n.oid = k.connamespace
  left join pg_class c on c.oid = k.conrelid left join pg_type t on t.oid = k.contypid
  where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'supabase_migrations', 'sbx_ddl_feed') and n.nspname not like 'pg\_temp%' and n.nspname not like 'pg\_toast%'
union all
select 'index ' || n.nspname || '.' || c.relname, concat_ws('|', pg_get_indexdef(c.oid), obj_description(c.oid, 'pg_class'))
  from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
  where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'supabase_migrations', 'sbx_ddl_feed') and n.nspname not like 'pg\_temp%' and n.nspname not like 'pg\_toast%'
union all
select 'policy ' || schemaname || '.' || tablename || '.' || policyname,
    concat_ws('|', permissive, roles::text, cmd, qual, with_check)
  from pg_policies where schemaname not in ('pg_catalog', 'information_schema', 'pg_toast', 'supabase_migrations', 'sbx_ddl_feed')
union all
select 'trigger ' || n.nspname || '.' || c.relname || '.' || g.tgname, concat_ws('|', pg_get_triggerdef(g.oid), g.tgenabled,
    obj_description(g.oid, 'pg_trigger'))
  from pg_trigger g join pg_class c on c.oid = g.tgrelid join pg_namespace n on n.oid = c.relnamespace
  where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'supabase_migrations', 'sbx_ddl_feed') and n.nspname not like 'pg\_temp%' and n.nspname not like 'pg\_toast%' and not g.tgisinternal
union all
select 'function ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
    concat_ws('|', p.prokind, case when p.prokind in ('f', 'p', 'w') then pg_get_functiondef(p.oid) end, p.proacl::text,
      obj_description(p.oid, 'pg_proc'))
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'supabase_migrations', 'sbx_ddl_feed') and n.nspname not like 'pg\_temp%' and n.nspname not like 'pg\_toast%'
union all
select 'type ' || n.nspname || '.' || t.typname, concat_ws('|', t.typtype, format_type(t.typbasetype, t.typtypmod), t.typnotnull,
    t.typdefault, t.typacl::text, obj_description(t.oid, 'pg_type'),
    (select string_agg(e.enumlabel, ',' order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid))
  from pg_type t join pg_namespace n on n.oid = t.typnamespace
  where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'supabase_migrations', 'sbx_ddl_feed') and n.nspname not like 'pg\_temp%' and n.nspname not like 'pg\_toast%' and t.typtype in ('e', 'd', 'r', 'm')
union all
select 'sequence ' || schemaname || '.' || sequencename, concat_ws('|', data_type::text, start_value, min_value, max_value,
    increment_by, cycle, cache_size)
  from pg_sequences where schemaname not in ('pg_catalog', 'information_schema', 'pg_toast', 'supabase_migrations', 'sbx_ddl_feed')
union all
select 'extension ' || e.extname, concat_ws('|', e.extversion, n.nspname) from pg_extension e join pg_namespace n on n.oid = e.extnamespace
union all
select 'publication ' || pubname || ' ' || schemaname || '.' || tablename, '' from pg_publication_tables
union all
select 'default privileges ' || pg_get_userbyid(d.defaclrole) || ' ' || coalesce(n.nspname, '*') || ' ' || d.defaclobjtype::text,
    d.defaclacl::text
  from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace
union all
select 'event trigger ' || evtname, concat_ws('|', evtevent, evtfoid::regproc::text, evtenabled, evttags::text)
  from pg_event_trigger where evtname not like 'sbx\_%'
