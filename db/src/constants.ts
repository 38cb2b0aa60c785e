// Plain values shared with the browser bundle (no drizzle, no Node).
export const PLANS = ['community', 'saas', 'enterprise'] as const;
export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export const API_KEY_SCOPES = ['ingest', 'read', 'admin'] as const;

export type Plan = (typeof PLANS)[number];
export type Role = (typeof ROLES)[number];
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
