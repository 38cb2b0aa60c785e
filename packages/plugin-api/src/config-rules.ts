import type { ConfigProperty } from './config-schema';

/**
 * The problem with one set value, as a message naming the field, or undefined when it is
 * fine. Kept out of the public entry: validateConfig and definePlugin (for defaults) share it.
 */
export function checkValue(name: string, property: ConfigProperty, value: unknown, secret = false): string | undefined {
  const hide = secret || (property.type === 'string' && property.format === 'password');
  const got = describe(value, hide);
  switch (property.type) {
    case 'string': {
      if (typeof value !== 'string') return `${name}: must be a string (got ${got})`;
      if (property.enum !== undefined && !property.enum.includes(value)) {
        return `${name}: must be one of ${property.enum.map((v) => JSON.stringify(v)).join(', ')} (got ${got})`;
      }
      // Counted in code points, as a person counts characters.
      const length = [...value].length;
      if (property.minLength !== undefined && length < property.minLength) {
        return `${name}: must be at least ${property.minLength} characters long (got ${length})`;
      }
      if (property.maxLength !== undefined && length > property.maxLength) {
        return `${name}: must be at most ${property.maxLength} characters long (got ${length})`;
      }
      if (property.pattern !== undefined && !new RegExp(property.pattern, 'u').test(value)) {
        return `${name}: must match /${property.pattern}/ (got ${got})`;
      }
      if (property.format === 'uri' && !isHttpUrl(value)) return `${name}: must be an http(s) URL (got ${got})`;
      return undefined;
    }
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${name}: must be a number (got ${got})`;
      if (property.type === 'integer' && !Number.isInteger(value)) return `${name}: must be an integer (got ${got})`;
      if (property.minimum !== undefined && value < property.minimum) return `${name}: must be at least ${property.minimum} (got ${got})`;
      if (property.maximum !== undefined && value > property.maximum) return `${name}: must be at most ${property.maximum} (got ${got})`;
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${name}: must be true or false (got ${got})`;
    case 'array': {
      if (!Array.isArray(value)) return `${name}: must be a list of strings (got ${got})`;
      const bad = value.findIndex((item) => typeof item !== 'string');
      if (bad !== -1) return `${name}: item ${bad + 1} must be a string (got ${describe(value[bad], hide)})`;
      if (property.maxItems !== undefined && value.length > property.maxItems) {
        return `${name}: must have at most ${property.maxItems} items (got ${value.length})`;
      }
      return undefined;
    }
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export function describe(value: unknown, hide: boolean): string {
  if (Array.isArray(value)) return hide ? 'a list' : truncate(JSON.stringify(value));
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (hide) return `a ${typeof value}`;
  if (typeof value === 'string') return truncate(JSON.stringify(value));
  return String(value);
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

