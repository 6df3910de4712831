/**
 * The SIT repository store: the on-disk format of the original SIT as a library.
 * @module
 */
export * from './errors.ts';
export * from './hash.ts';
export * from './names.ts';
export * from './config.ts';
export * from './resolve.ts';
export * from './module_link.ts';
export * from './record.ts';
export * from './order.ts';
export * from './fs_util.ts';
export * from './discovery.ts';
export * from './record_source.ts';
export * from './record_walk.ts';
export * from './order_records.ts';
export * from './write_record.ts';
export * from './modules.ts';
export * from './repository.ts';
export * from './integrity.ts';
export * from './upgrade.ts';
export * from './rebuild.ts';
export * from './user_config.ts';
export * from './signing.ts';
