/**
 * The set-based writer: everything the sync stores about images and their results. It knows SQL
 * and nothing of HTTP. Each function is one statement per chunk, or one transaction.
 */
export { type ContentOutcome, type ContentState, loadContentStates } from './writer/contents.js';
export { recordScopeInventory } from './writer/inventory.js';
export { REF_CHUNK_SIZE, upsertImageRefs } from './writer/refs.js';
export { writeImageResults } from './writer/results.js';
export type { ImageResultItem } from './writer/results-plan.js';
export { type RetireInput, retireContents } from './writer/retire.js';
