import { describe, expect, it } from 'vitest';
import { attributeText, fullMatch, matchesFilter, matchesFilters, matchesLabel, severityName } from './filters';
import type { Attributes } from './model';

const attrs: Attributes = { method: 'GET', code: 500, ok: false, nested: { a: 1 }, list: ['x'], gone: null, numeric: '12.5' };
const resource: Attributes = { 'service.name': 'api', method: 'IGNORED' };

describe('matchesFilter', () => {
  it.each([
    [{ key: 'method', op: '=', value: 'GET' }, true],
    [{ key: 'code', op: '=', value: 500 }, true],
    [{ key: 'code', op: '=', value: '500' }, true],
    [{ key: 'ok', op: '=', value: false }, true],
    [{ key: 'nested', op: '=', value: '{"a":1}' }, true],
    [{ key: 'service.name', op: '=', value: 'api' }, true],
    [{ key: 'method', op: '!=', value: 'GET' }, false],
    [{ key: 'missing', op: '!=', value: 'GET' }, true],
    [{ key: 'missing', op: '=', value: '' }, true],
    [{ key: 'method', op: '=~', value: 'G.T' }, true],
    [{ key: 'method', op: '=~', value: 'E' }, false],
    [{ key: 'method', op: '!~', value: 'P.*' }, true],
    [{ key: 'missing', op: '!~', value: '.+' }, true],
    [{ key: 'method', op: 'contains', value: 'ge' }, true],
    [{ key: 'missing', op: 'contains', value: '' }, false],
    [{ key: 'method', op: 'exists' }, true],
    [{ key: 'gone', op: 'exists' }, false],
    [{ key: 'gone', op: '!exists' }, true],
    [{ key: 'code', op: '>', value: 499 }, true],
    [{ key: 'code', op: '>', value: 500 }, false],
    [{ key: 'code', op: '>=', value: 500 }, true],
    [{ key: 'numeric', op: '<', value: 13 }, true],
    [{ key: 'numeric', op: '<=', value: 12.5 }, true],
    [{ key: 'method', op: '<', value: 5 }, false],
    [{ key: 'missing', op: '<', value: 5 }, false],
  ] as const)('%j is %s', (filter, want) => {
    expect(matchesFilter(filter, attrs, resource)).toBe(want);
  });

  it('prefers the record attribute over the resource attribute of the same key', () => {
    expect(matchesFilter({ key: 'method', op: '=', value: 'IGNORED' }, attrs, resource)).toBe(false);
  });

  it('ANDs a list and accepts an empty or missing one', () => {
    expect(matchesFilters(undefined, attrs)).toBe(true);
    expect(matchesFilters([], attrs)).toBe(true);
    expect(matchesFilters([{ key: 'method', op: '=', value: 'GET' }, { key: 'code', op: '<', value: 400 }], attrs)).toBe(false);
  });
});

describe('helpers', () => {
  it('renders attribute values as filters see them', () => {
    expect([attributeText(undefined), attributeText(null), attributeText(1.5), attributeText(true), attributeText(['a'])]).toEqual(['', '', '1.5', 'true', '["a"]']);
  });

  it('matches labels like PromQL, a missing label being empty', () => {
    expect(matchesLabel({ name: 'job', op: '=', value: '' }, {})).toBe(true);
    expect(matchesLabel({ name: 'job', op: '!=', value: 'api' }, {})).toBe(true);
    expect(matchesLabel({ name: 'job', op: '=~', value: 'api|web' }, { job: 'web' })).toBe(true);
    expect(matchesLabel({ name: 'job', op: '=~', value: 'ap' }, { job: 'api' })).toBe(false);
    expect(matchesLabel({ name: 'job', op: '!~', value: 'ap.*' }, { job: 'api' })).toBe(false);
    expect(fullMatch('a|b', 'ab')).toBe(false);
  });

  it('names severities by OTLP ranges', () => {
    expect([0, 1, 4, 5, 9, 12, 13, 17, 21, 24].map(severityName)).toEqual(['unset', 'trace', 'trace', 'debug', 'info', 'info', 'warn', 'error', 'fatal', 'fatal']);
  });
});
