import {describe, expect, it} from 'vitest'
import {createsObject, parseCreation, parseMissingObject} from '../../src/core/verify/missing-object.js'

describe('parseMissingObject', () => {
  it.each([
    {message: 'relation "todos" does not exist', missing: {kind: 'relation', name: 'todos'}},
    {message: 'relation "app.todos" does not exist', missing: {kind: 'relation', name: 'app.todos'}},
    {message: 'relation "MyTable" does not exist', missing: {kind: 'relation', name: 'MyTable'}},
    {message: 'function public.is_admin() does not exist', missing: {kind: 'function', name: 'public.is_admin'}},
    {message: 'function get_total(uuid, integer) does not exist', missing: {kind: 'function', name: 'get_total'}},
    {message: 'procedure do_it() does not exist', missing: {kind: 'function', name: 'do_it'}},
    {message: 'schema "app" does not exist', missing: {kind: 'schema', name: 'app'}},
    {message: 'type "mood" does not exist', missing: {kind: 'type', name: 'mood'}},
    {message: 'type "app.mood" does not exist', missing: {kind: 'type', name: 'app.mood'}},
    {message: 'role "editor" does not exist', missing: {kind: 'role', name: 'editor'}},
    {
      message: 'column "status" of relation "todos" does not exist',
      missing: {kind: 'column', name: 'todos.status'},
    },
    {
      message: 'function similarity(text, text) does not exist',
      missing: {kind: 'function', name: 'similarity', viaExtension: 'pg_trgm'},
    },
    {
      message: 'operator class "gin_trgm_ops" does not exist for access method "gin"',
      missing: {kind: 'extension', name: 'pg_trgm', viaExtension: 'pg_trgm'},
    },
    {message: 'syntax error at or near "tabel"', missing: undefined},
    {message: 'permission denied for table todos', missing: undefined},
    {message: 'operator class "foo_ops" does not exist for access method "gin"', missing: undefined},
  ])('$message', ({message, missing}) => {
    expect(parseMissingObject({message})).toEqual(missing)
  })
})

describe('parseCreation', () => {
  it.each([
    ['create table todos (id int)', {kind: 'relation', object: {name: 'todos'}}],
    ['CREATE TABLE IF NOT EXISTS public.Todos (id int)', {kind: 'relation', object: {schema: 'public', name: 'todos'}}],
    ['create table "Quoted ""Name""" (id int)', {kind: 'relation', object: {name: 'Quoted "Name"'}}],
    ['-- tables\n/* c */ create unlogged table app.t (id int)', {kind: 'relation', object: {schema: 'app', name: 't'}}],
    ['create or replace view v as select 1', {kind: 'relation', object: {name: 'v'}}],
    ['create materialized view if not exists m as select 1', {kind: 'relation', object: {name: 'm'}}],
    ['create sequence s', {kind: 'relation', object: {name: 's'}}],
    [
      'create or replace function public.f(x int) returns int',
      {kind: 'function', object: {schema: 'public', name: 'f'}},
    ],
    ['create procedure p() language sql as $$ $$', {kind: 'function', object: {name: 'p'}}],
    ['create schema if not exists app', {kind: 'schema', object: {name: 'app'}}],
    ['create schema authorization bob', {kind: 'schema', object: {name: 'bob'}}],
    ["create type mood as enum ('a')", {kind: 'type', object: {name: 'mood'}}],
    ['create domain email as text', {kind: 'type', object: {name: 'email'}}],
    ['create role editor nologin', {kind: 'role', object: {name: 'editor'}}],
    ['create extension if not exists pg_trgm with schema extensions', {kind: 'extension', object: {name: 'pg_trgm'}}],
    ['create extension "uuid-ossp"', {kind: 'extension', object: {name: 'uuid-ossp'}}],
    ['alter table todos add column status text', {kind: 'column', object: {name: 'status'}, table: {name: 'todos'}}],
    [
      'alter table if exists only public.todos add if not exists status text',
      {kind: 'column', object: {name: 'status'}, table: {schema: 'public', name: 'todos'}},
    ],
    ['alter table todos add constraint c check (true)', undefined],
    ['alter table old_todos rename to todos', {kind: 'relation', object: {name: 'todos'}}],
    [
      'alter table todos rename column state to status',
      {kind: 'column', object: {name: 'status'}, table: {name: 'todos'}},
    ],
    ['create index on todos (id)', undefined],
    ['create policy p on todos using (true)', undefined],
    ['select 1', undefined],
  ])('%s', (statement, created) => {
    expect(parseCreation(statement)).toEqual(created)
  })
})

describe('createsObject', () => {
  it.each([
    {case: 'same unqualified name', statement: 'create table todos ()', name: 'todos', creates: true},
    {case: 'unqualified use, public create', statement: 'create table public.todos ()', name: 'todos', creates: true},
    {case: 'public use, unqualified create', statement: 'create table todos ()', name: 'public.todos', creates: true},
    {case: 'unqualified use, other schema', statement: 'create table app.todos ()', name: 'todos', creates: false},
    {case: 'qualified use, other schema', statement: 'create table public.todos ()', name: 'app.todos', creates: false},
    {case: 'case folding', statement: 'create table Todos ()', name: 'todos', creates: true},
    {case: 'quoted names keep case', statement: 'create table "Todos" ()', name: 'todos', creates: false},
    {case: 'different name', statement: 'create table todo ()', name: 'todos', creates: false},
    {case: 'a view is a relation', statement: 'create view todos as select 1', name: 'todos', creates: true},
  ])('relation: $case', ({statement, name, creates}) => {
    expect(createsObject(statement, {kind: 'relation', name})).toBe(creates)
  })

  it('matches a function by name whatever its arguments', () => {
    expect(
      createsObject('create function public.is_admin(uid uuid) returns bool', {kind: 'function', name: 'is_admin'}),
    ).toBe(true)
  })

  it('counts a table as the creator of its row type', () => {
    expect(createsObject('create table app.item ()', {kind: 'type', name: 'app.item'})).toBe(true)
  })

  it('finds the extension behind an operator class', () => {
    const missing = {kind: 'extension' as const, name: 'pg_trgm', viaExtension: 'pg_trgm'}
    expect(createsObject('create extension if not exists pg_trgm with schema extensions', missing)).toBe(true)
    expect(createsObject('create extension pgcrypto', missing)).toBe(false)
  })

  it('matches a column on the right table only', () => {
    const missing = {kind: 'column' as const, name: 'todos.status'}
    expect(createsObject('alter table public.todos add column status text', missing)).toBe(true)
    expect(createsObject('alter table notes add column status text', missing)).toBe(false)
  })

  it('does not mistake another kind of object with the same name', () => {
    expect(createsObject('create function todos() returns int', {kind: 'relation', name: 'todos'})).toBe(false)
  })
})
