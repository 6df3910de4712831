/**
 * What QuickJS offers the prelude beyond the standard built-ins (for type-checking `prelude.js`
 * only; see tsconfig.prelude.json).
 */
declare var InternalError: ErrorConstructor | undefined;
