/**
 * A small JSON-Schema subset that describes a plugin's configuration. The host
 * validates configs with it and renders the data-source form from it, so keep
 * `title` and `description` user-facing.
 */
export type ConfigProperty =
  | {
      type: 'string';
      title: string;
      description?: string;
      default?: string;
      /** `uri`: an http(s) URL; `password`: a masked input (use with secretFields). */
      format?: 'uri' | 'password' | 'multiline';
      enum?: string[];
      minLength?: number;
      maxLength?: number;
      pattern?: string;
      placeholder?: string;
    }
  | {
      type: 'number' | 'integer';
      title: string;
      description?: string;
      default?: number;
      minimum?: number;
      maximum?: number;
    }
  | { type: 'boolean'; title: string; description?: string; default?: boolean }
  | {
      type: 'array';
      title: string;
      description?: string;
      items: { type: 'string' };
      default?: string[];
      maxItems?: number;
    };

export interface ConfigSchema {
  type: 'object';
  properties: Record<string, ConfigProperty>;
  required?: string[];
}

export interface ConfigIssue {
  /** The property the problem is about. */
  field: string;
  message: string;
}
