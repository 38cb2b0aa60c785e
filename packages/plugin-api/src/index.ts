export * from './model';
export * from './query';
export * from './plugin';
export * from './errors';
export * from './config-schema';
export * from './define';
export * from './validate-config';
export * from './filters';
