import {describe, expect, it} from 'vitest'
import {destructiveReason} from '../../src/core/sql/destructive.js'

describe('destructiveReason', () => {
  it.each([
    ['drop table public.users', 'drops a table'],
    ['DROP TABLE IF EXISTS a, b CASCADE', 'drops a table'],
    ['drop schema legacy cascade', 'drops a schema'],
    ['alter table profiles drop column bio', 'drops a column'],
    ['ALTER TABLE ONLY profiles DROP bio', 'drops a column'],
    ['alter table profiles add column x int, drop column if exists y', 'drops a column'],
    ['alter table profiles alter column age type bigint', "changes a column's type"],
    ['alter table profiles alter column age set data type text using age::text', "changes a column's type"],
    ['truncate audit_log', 'truncates a table'],
    ['delete from sessions', 'deletes every row (no WHERE)'],
    ['update profiles set active = true', 'updates every row (no WHERE)'],
    ['-- cleanup\ndelete from sessions', 'deletes every row (no WHERE)'],
  ])('%s → %s', (statement, reason) => {
    expect(destructiveReason(statement)).toBe(reason)
  })

  it.each([
    'drop policy "admins" on profiles',
    'drop function if exists f(int)',
    'drop view v',
    'drop index concurrently i',
    'drop trigger t on profiles',
    'create or replace function f() returns void language sql as $$ delete from x $$',
    'alter table profiles drop constraint profiles_pkey',
    'alter table profiles alter column age drop default',
    'alter table profiles alter column age drop not null',
    'alter table conversations add column archived boolean default false',
    'delete from sessions where expires < now()',
    "update profiles set note = 'no where here' where id = 1",
    'create table t (id int)',
    "insert into t values ('drop table x')",
  ])('%s is not destructive', (statement) => {
    expect(destructiveReason(statement)).toBeUndefined()
  })
})
