/**
 * Placeholder build: this package's API arrives with its own issue (see README).
 * It exists now so the workspace, build, publint and changesets already have their
 * final shape.
 */
export const PACKAGE_STATUS = 'unreleased' as const;
